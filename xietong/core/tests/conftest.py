"""Fixtures of core's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture(autouse=True)
def audit_checkpoints(settings: Settings, tmp_path: Path) -> Path:
    # Each test's database starts empty: checkpoints of another test's chains would be
    # reported as links missing from this one's.
    path = tmp_path / "audit-checkpoints.jsonl"
    settings.XT_AUDIT_CHECKPOINT_PATH = path
    return path


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """The engine's tests run a small workflow of their own, whose table only the test
    database has."""
    from django.db import connection

    from .workflow_ticket import Ticket

    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.create_model(Ticket)
