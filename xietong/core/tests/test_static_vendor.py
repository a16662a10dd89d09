"""The front-end files the pages load are found for collectstatic, and nothing else of the
packages is (core/static_vendor.py)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import override_settings

from xietong.core.static_vendor import VendorFinder

TEMPLATES_AND_SCRIPTS = [
    *Path(settings.BASE_DIR, "xietong").rglob("*.html"),
    *Path(settings.BASE_DIR, "xietong").rglob("*.js"),
]


def _vendor_paths_in_use() -> set[str]:
    used: set[str] = set()
    for path in TEMPLATES_AND_SCRIPTS:
        used |= set(re.findall(r"vendor/[\w.-]+/[\w./-]+\.(?:css|js)", path.read_text()))
    return used


def test_every_library_file_a_page_loads_is_found() -> None:
    used = _vendor_paths_in_use()
    assert "vendor/bootstrap/css/bootstrap.min.css" in used
    for path in used:
        assert finders.find(path), path
    # The icon font the icons' stylesheet loads comes with it.
    assert finders.find("vendor/bootstrap-icons/fonts/bootstrap-icons.woff2")


def test_nothing_else_of_the_packages_is_collected() -> None:
    found = VendorFinder().list(None)
    listed = {f"{getattr(storage, 'prefix', '')}/{name}" for name, storage in found}
    wanted = {f"vendor/{package}/{name}" for package, (_folder, names) in
              settings.FRONTEND_FILES.items() for name in names}  # fmt: skip
    assert listed == wanted
    assert len(listed) < 20
    assert not finders.find("vendor/flatpickr/l10n/fr.js")
    assert not finders.find("vendor/bootstrap/js/bootstrap.esm.js")


def test_a_listed_file_that_is_missing_is_named_by_the_system_check() -> None:
    files = {**settings.FRONTEND_FILES, "flatpickr": ("dist", ("flatpickr.min.js", "nope.js"))}
    with override_settings(FRONTEND_FILES=files):
        errors = VendorFinder().check()
    assert len(errors) == 1
    assert "flatpickr/nope.js" in errors[0].msg
