"""Every app speaks Chinese first: each catalogue is complete, nothing is left fuzzy, and
the compiled .mo the server reads says what the .po says."""

from __future__ import annotations

import ast
import gettext
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "xietong"
CATALOGUES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))
APPS_WITH_STRINGS = ["core", "directory", "accounts", "patients", "demo"]


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    obsolete: bool = False


def _parse(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current = Entry()
    target: tuple[str, int] | None = None

    def flush() -> None:
        nonlocal current
        if current.msgid or current.msgstr:
            entries.append(current)
        current = Entry()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            target = None
            continue
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if line.startswith("#,") and "fuzzy" in line:
            current.fuzzy = True
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            text = ast.literal_eval(line)
        else:
            text = ast.literal_eval(rest)
            if keyword == "msgctxt":
                target = ("msgctxt", 0)
                current.msgctxt = ""
            elif keyword == "msgid":
                target = ("msgid", 0)
            elif keyword == "msgid_plural":
                target = ("msgid_plural", 0)
                current.msgid_plural = ""
            elif keyword.startswith("msgstr["):
                target = ("msgstr", int(keyword[7:-1]))
                current.msgstr[target[1]] = ""
            elif keyword == "msgstr":
                target = ("msgstr", 0)
                current.msgstr[0] = ""
        assert target is not None, f"{path}: cannot read {raw!r}"
        name, index = target
        if name == "msgstr":
            current.msgstr[index] += text
        else:
            setattr(current, name, (getattr(current, name) or "") + text)
    flush()
    return [e for e in entries if e.msgid and not e.obsolete]


def test_every_app_with_strings_has_a_chinese_catalogue() -> None:
    found = {path.parts[-5] for path in CATALOGUES}
    assert set(APPS_WITH_STRINGS) <= found


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_catalogue_is_complete_and_compiled(po: Path) -> None:
    entries = _parse(po)
    assert entries, f"{po} has no entries"
    untranslated = [e.msgid for e in entries if not all(e.msgstr.values())]
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    assert not untranslated, f"untranslated in {po}: {untranslated[:5]}"
    assert not fuzzy, f"fuzzy in {po}: {fuzzy[:5]}"

    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for e in entries:
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            if compiled._catalog.get(key) != e.msgstr[0]:  # type: ignore[attr-defined]
                stale.append(e.msgid)
        elif compiled._catalog.get((key, 0)) != e.msgstr[0]:  # type: ignore[attr-defined]
            stale.append(e.msgid)
    assert not stale, f"{po.with_suffix('.mo')} is older than its .po: {stale[:5]} (run msgfmt)"
