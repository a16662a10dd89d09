"""The files of the browsers' libraries that our pages load, found for collectstatic under
/static/vendor/<package>/ (ADR 18). Only these: collectstatic compresses each collected file
with gzip and Brotli on every run, and the packages' whole build folders (every locale, theme
and module format) held some 1,700 files, of which the pages use a dozen, and took 20 s of
CPU to compress."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, overload

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Error
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor"


class VendorFinder(BaseFinder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        root = Path(settings.FRONTEND_PACKAGES)
        self.storages: dict[str, FileSystemStorage] = {}
        self.files: dict[str, tuple[str, ...]] = {}
        # package -> (its build folder, the files of it we serve)
        for package, (folder, files) in settings.FRONTEND_FILES.items():
            storage = FileSystemStorage(location=root / package / folder)
            storage.prefix = f"{PREFIX}/{package}"  # type: ignore[attr-defined]
            self.storages[package] = storage
            self.files[package] = files

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        missing = [
            f"{package}/{name}"
            for package, names in self.files.items()
            for name in names
            if not self.storages[package].exists(name)
        ]
        if not missing:
            return []
        return [
            Error(
                f"Front-end files missing from {settings.FRONTEND_PACKAGES}: " + ", ".join(missing),
                hint="./xt installs them (npm ci in frontend/).",
                id="xietong.E010",
            )
        ]

    def _split(self, path: str) -> tuple[str, str] | None:
        parts = path.split("/", 2)
        if len(parts) != 3 or parts[0] != PREFIX or parts[1] not in self.files:
            return None
        package, name = parts[1], parts[2]
        return (package, name) if name in self.files[package] else None

    @overload
    def find(self, path: str, find_all: Literal[False] = ...) -> str | None: ...
    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str] | None:
        wanted = find_all or kwargs.get("all", False)  # `all` before Django 5.2
        found = self._split(path)
        full = self.storages[found[0]].path(found[1]) if found else None
        if full is None or not Path(full).exists():
            return []  # "none here" in either mode, as Django's own finders answer
        return [full] if wanted else full

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for package, names in self.files.items():
            storage = self.storages[package]
            for name in names:
                if storage.exists(name):
                    yield name, storage
