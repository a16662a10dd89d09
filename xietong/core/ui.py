"""Status colours as data: each workflow app says which tone each of its statuses has, and
every list, badge and board shows that status in that colour (core/components/status.html).

Tones: new (arrived, nobody has acted), wait (waiting for someone else), act (this side's
work is under way), done (finished well), stop (closed without result: cancelled, expired),
bad (refused, returned, overdue)."""

from __future__ import annotations

from collections.abc import Mapping

TONES = frozenset({"new", "wait", "act", "done", "stop", "bad"})
_tones: dict[str, str] = {}


def status_tones_register(tones: Mapping[str, str]) -> None:
    unknown = set(tones.values()) - TONES
    if unknown:
        raise ValueError(f"unknown status tones: {sorted(unknown)}")
    _tones.update(tones)


def status_tone(code: object) -> str:
    return _tones.get(str(code), "stop")
