"""The task worker yields the CPU to requests: it runs at the nice value the settings give
(ADR 21). Checked in a child process, since a process cannot take its priority back."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings


def _nice_after(code: str) -> int:
    setup = "import django; django.setup(); "
    # The code is this test's own.
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", setup + code], check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip())


def test_the_worker_runs_at_the_configured_lower_priority() -> None:
    assert settings.XT_TASK_WORKER_NICE > 0
    code = (
        "import os; from xietong.core.management.commands.task_worker import priority_lower; "
        f"priority_lower({settings.XT_TASK_WORKER_NICE}); print(os.nice(0))"
    )
    assert _nice_after(code) == settings.XT_TASK_WORKER_NICE


def test_a_process_already_lower_is_left_as_it_is() -> None:
    code = (
        "import os; from xietong.core.management.commands.task_worker import priority_lower; "
        "os.nice(15); priority_lower(10); print(os.nice(0))"
    )
    assert _nice_after(code) == 15
