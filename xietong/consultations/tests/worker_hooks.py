"""Installed only in a test's worker process (worker_settings.py). With XT_TEST_HOLD_FILING
set to a path, filing a document stops right after the document is stored, before the
filing finishes: it touches that path, so the test knows to kill the worker there."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.apps import AppConfig


class HoldFilingConfig(AppConfig):
    name = "xietong.consultations.tests"
    label = "consultations_test_hooks"

    def ready(self) -> None:
        flag = os.environ.get("XT_TEST_HOLD_FILING")
        if not flag:
            return
        from xietong.records import services

        store = services.document_store_generated

        def store_then_hold(**kwargs: Any) -> Any:
            store(**kwargs)
            Path(flag).touch()
            while True:  # until the test kills this process
                time.sleep(1)

        # Filing calls it through the records module on each call, so it finds this.
        services.document_store_generated = store_then_hold
