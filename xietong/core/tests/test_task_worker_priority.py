"""The task worker yields the CPU to requests: it runs at the nice value the settings give
(ADR 21). Checked in a child process, since a process cannot take its priority back."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings


def _nice_after(code: str) -> tuple[int, int]:
    setup = "import django; django.setup(); "
    # The code is this test's own.
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", setup + code], check=True, capture_output=True, text=True
    )
    start, after = out.stdout.split()
    return int(start), int(after)


def test_the_worker_runs_at_the_configured_lower_priority() -> None:
    nice = settings.XT_TASK_WORKER_NICE
    assert nice > 0
    code = (
        "import os; from xietong.core.management.commands.task_worker import priority_lower; "
        f"start = os.nice(0); priority_lower({nice}); print(start, os.nice(0))"
    )
    start, after = _nice_after(code)
    # The test may itself run at a lower priority than the setting asks for.
    assert after == max(start, nice)


def test_a_process_already_lower_is_left_as_it_is() -> None:
    code = (
        "import os; from xietong.core.management.commands.task_worker import priority_lower; "
        "os.nice(19 - os.nice(0)); priority_lower(10); print(19, os.nice(0))"
    )
    assert _nice_after(code) == (19, 19)
