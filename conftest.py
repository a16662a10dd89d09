"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    # Uploaded files of one test never leak into another or into var/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _push_targets_forgotten() -> None:
    # Which institutions take pushes is kept per process for a while (exchange/outgoing/
    # listening.py): each test starts on a database where none does.
    from xietong.exchange.outgoing.listening import listening_forget

    listening_forget(frozenset())


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # Every test starts in the platform's default language (Chinese), whatever the test
    # before it switched to; otherwise a test passes or fails by the order it runs in.
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def cjk_font() -> None:
    """Skip (or, where XT_REQUIRE_BROWSER=1, fail) when no Chinese font is installed."""
    import os
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")  # fontconfig itself may be missing
    found = (
        subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True, check=False)  # noqa: S603
        if fc_list
        else None
    )
    if found and found.stdout.strip():
        return
    reason = "no Chinese font is installed (Debian package fonts-noto-cjk)"
    if os.environ.get("XT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and XT_REQUIRE_BROWSER=1 requires it")
    pytest.skip(reason)


@pytest.fixture
def diagnosis_codes(db: None) -> None:
    """The ICD-10 code list as data migration directory 0005 loads it. A test that empties
    the database at its end (transactional_db: the browser tests and a few others) takes
    the list with it, so a test that searches the list asks for it here."""
    from xietong.directory.diagnoses import diagnosis_codes_load
    from xietong.directory.models import DiagnosisCode

    if not DiagnosisCode.objects.exists():
        diagnosis_codes_load()
