"""Fixtures of core's tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_django.fixtures import Settings


@pytest.fixture(autouse=True)
def audit_checkpoints(settings: Settings, tmp_path: Path) -> Path:
    # Each test's database starts empty: checkpoints of another test's chains would be
    # reported as links missing from this one's.
    path = tmp_path / "audit-checkpoints.jsonl"
    settings.XT_AUDIT_CHECKPOINT_PATH = path
    return path
