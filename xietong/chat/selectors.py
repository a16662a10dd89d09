"""Reads: threads an actor may take part in, their messages and read positions."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from xietong.accounts.models import User
from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.reads import SHOW, read_recorded, read_refused

from .access import thread_access_allows, thread_subject_patient_id
from .models import Message, ReadState, Thread

PAGE_SIZE = 50


def _as_uuid(value: object) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound() from exc


def thread_allows(actor: Actor, thread: Thread) -> bool:
    return thread_access_allows(actor, thread.subject_type, thread.subject_id)


def thread_patient_id(thread: Thread) -> int | None:
    """The patient the thread's subject is about, for the audit; None when it is about none."""
    return thread_subject_patient_id(subject_type=thread.subject_type, subject_id=thread.subject_id)


def get_thread_for(*, actor: Actor, thread_uuid: object) -> Thread:
    """The thread, if its subject's owner admits the actor; NotFound for missing or refused."""
    thread = Thread.objects.filter(uuid=_as_uuid(thread_uuid)).first()
    if thread is None or not thread_allows(actor, thread):
        raise NotFound()
    return thread


def get_attachment_for(*, actor: Actor, message_uuid: object) -> Message:
    """A message with its attachment, to hand the file to the actor: the read is audited
    as part of the patient's record, and so is a refusal (core/reads.py)."""
    message = Message.objects.select_related("thread").filter(uuid=_as_uuid(message_uuid)).first()
    if message is None or not message.attachment or not thread_allows(actor, message.thread):
        read_refused(
            actor=actor, resource_type="ChatAttachment", resource_id=message_uuid,
            patient_id=thread_patient_id(message.thread) if message else None,
        )  # fmt: skip
        raise NotFound()
    read_recorded(
        actor=actor, intent=SHOW, resource_type="ChatAttachment", resource_id=message.uuid,
        patient_id=thread_patient_id(message.thread),
        detail={"thread": str(message.thread.uuid)},
    )  # fmt: skip
    return message


@dataclass(frozen=True)
class MessagePage:
    messages: list[Message]  # oldest first
    has_more: bool  # older messages exist before the first one


def thread_messages(
    *, thread: Thread, before: object = None, limit: int = PAGE_SIZE
) -> MessagePage:
    """The newest `limit` messages (older than `before`, a message UUID, when given)."""
    limit = min(max(int(limit), 1), 200)
    rows = Message.objects.filter(thread=thread)
    if before:
        anchor = Message.objects.filter(thread=thread, uuid=_as_uuid(before)).first()
        if anchor is None:
            raise NotFound()
        rows = rows.filter(pk__lt=anchor.pk)
    newest = list(rows.order_by("-pk")[: limit + 1])
    return MessagePage(messages=list(reversed(newest[:limit])), has_more=len(newest) > limit)


def thread_history_for(
    *, actor: Actor, thread: Thread, before: object = None, limit: int = PAGE_SIZE
) -> MessagePage:
    """A page of the thread's messages as the actor reads them: access checked again and
    the read audited, since a discussion about a patient is part of their record."""
    if not thread_allows(actor, thread):
        raise NotFound()
    page = thread_messages(thread=thread, before=before, limit=limit)
    _thread_read(actor, thread, messages=len(page.messages))
    return page


def _thread_read(actor: Actor, thread: Thread, **detail: Any) -> None:
    read_recorded(
        actor=actor, intent=SHOW, resource_type="ChatThread", resource_id=thread.uuid,
        patient_id=thread_patient_id(thread),
        detail={"subject": f"{thread.subject_type}:{thread.subject_id}", **detail},
    )  # fmt: skip


def thread_live_read(*, actor: Actor, thread: Thread, first: str, window_seconds: float) -> bool:
    """Before an open socket delivers a batch of live messages: whether the actor may still
    read the thread, and if so the audited read of the batch (ADR 7). `first` is the
    batch's first message; the batch is what the thread receives in the next
    `window_seconds`, unless access changes first."""
    if not thread_allows(actor, thread):
        return False
    _thread_read(actor, thread, live=True, first=first, window_seconds=window_seconds)
    return True


def display_name(user: User) -> str:
    return user.display_name or user.get_full_name() or user.username


def thread_read_positions(*, thread: Thread) -> dict[int, tuple[str, int]]:
    """For each reader: their name and the id of the last message they have read."""
    states = ReadState.objects.filter(thread=thread, last_read__isnull=False).select_related("user")
    return {s.user_id: (display_name(s.user), int(s.last_read_id or 0)) for s in states}


def thread_participant_ids(*, thread: Thread) -> set[int]:
    """People who wrote in the thread or opened it."""
    writers = Message.objects.filter(thread=thread).values_list("author_id", flat=True).distinct()
    readers = ReadState.objects.filter(thread=thread).values_list("user_id", flat=True)
    return {*writers, *readers}


def thread_retention_until(thread: Thread) -> dt.date:
    """The earliest date the thread's first messages may be deleted."""
    first = Message.objects.filter(thread=thread).order_by("pk").first()
    start = first.created_at if first else thread.created_at
    return (start + dt.timedelta(days=int(settings.XT_CHAT_RETENTION_DAYS))).date()
