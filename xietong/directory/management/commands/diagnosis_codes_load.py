"""Loads or refreshes the ICD-10 code list (directory/diagnoses.py): the WHO titles from the
installed package, the project's Chinese titles and, with --csv, a province's own `code,name`
list (e.g. the national clinical version it licenses). Safe to run again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xietong.directory.diagnoses import diagnosis_codes_load, titles_from_file

# Rejected rows shown; the rest are counted.
SHOWN = 10


class Command(BaseCommand):
    help = "Load or refresh the ICD-10 code list the diagnosis pickers search."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--csv",
            action="append",
            default=[],
            metavar="PATH",
            help="A CSV of code,name (Chinese titles) applied after the project's; repeatable.",
        )
        parser.add_argument(
            "--encoding",
            default="utf-8-sig",
            help="The CSV's encoding (default utf-8, with or without BOM; e.g. gb18030).",
        )

    def handle(self, *args: Any, csv: list[str], encoding: str, **options: Any) -> None:
        extra = []
        rejected: list[str] = []
        for path in csv:
            try:
                found = titles_from_file(path, encoding=encoding)
            except (OSError, UnicodeDecodeError, LookupError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            if not found.titles:
                raise CommandError(f"{path}: no row of code,name with an ICD-10 code")
            extra.append(found.titles)
            rejected += [f"{path}:{line}" for line in found.rejected]
        with transaction.atomic():
            report = diagnosis_codes_load(chinese=extra)
        self.stdout.write(
            f"diagnosis codes: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(rejected)} rows skipped"
        )
        for line in rejected[:SHOWN]:
            self.stdout.write(f"  skipped (not an ICD-10 code with a name) {line}")
        if len(rejected) > SHOWN:
            self.stdout.write(f"  … and {len(rejected) - SHOWN} more")
