"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    # Uploaded files of one test never leak into another or into var/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cjk_font() -> None:
    """Skip (or, where XT_REQUIRE_BROWSER=1, fail) when no Chinese font is installed."""
    import os
    import subprocess

    try:
        found = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    except FileNotFoundError:  # fontconfig itself is missing
        found = None
    if found and found.stdout.strip():
        return
    reason = "no Chinese font is installed (Debian package fonts-noto-cjk)"
    if os.environ.get("XT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and XT_REQUIRE_BROWSER=1 requires it")
    pytest.skip(reason)
