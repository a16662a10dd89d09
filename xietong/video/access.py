"""Who may join a room is decided by whoever owns its subject (as for chat threads, ADR
0007). The owning app registers a policy for its subject type from AppConfig.ready(); a
subject type nobody registered admits nobody.

Besides the policy an owner may say when its room opens (`opens_at`: the join control
appears from a little before then), what to call it (`title`), and which chat thread sits
beside the video (`chat`: the Thread, rendered with the {% chat_thread %} tag), and which
patient a recording would show (`patient`: recording needs that patient's consent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xietong.core.actor import Actor

AccessPolicy = Callable[[Actor, str], bool]


@dataclass(frozen=True)
class RoomSubject:
    policy: AccessPolicy
    title: Callable[[str], str] | None = None
    opens_at: Callable[[str], dt.datetime | None] | None = None
    chat: Callable[[Actor, str], Any] | None = None
    # The patient a recording would show: recording needs their consent; None: never.
    patient: Callable[[str], Any] | None = None


_subjects: dict[str, RoomSubject] = {}


def room_access_register(
    subject_type: str,
    policy: AccessPolicy,
    *,
    title: Callable[[str], str] | None = None,
    opens_at: Callable[[str], dt.datetime | None] | None = None,
    chat: Callable[[Actor, str], Any] | None = None,
    patient: Callable[[str], Any] | None = None,
) -> None:
    _subjects[subject_type] = RoomSubject(policy, title, opens_at, chat, patient)


def room_access_unregister(subject_type: str) -> None:
    """For tests that register a policy of their own."""
    _subjects.pop(subject_type, None)


def room_subject(subject_type: str) -> RoomSubject | None:
    return _subjects.get(subject_type)


def room_access_allows(actor: Actor, subject_type: str, subject_id: str) -> bool:
    subject = _subjects.get(subject_type)
    if subject is None:
        return False
    return bool(subject.policy(actor, str(subject_id)))
