"""Writes to chat threads: posting a message and marking how far one has read. Access is
the subject owner's policy (access.py). Delivery to open pages and notifications of the
others happen after commit."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xietong.accounts.selectors import user_of
from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Message as ErrorMessage
from xietong.core.errors import NotFound, ValidationFailed
from xietong.core.events import event_emit
from xietong.notifications.selectors import unread_recipient_ids
from xietong.notifications.services import notifications_mark_subject_read, notify
from xietong.patients.validation import interpolate

from .files import AttachmentInvalid, attachment_inspect
from .live import message_payload, thread_broadcast
from .models import BODY_MAX_CHARS, Message, ReadState, Thread
from .selectors import (
    display_name,
    get_thread_for,
    thread_allows,
    thread_participant_ids,
    thread_patient_id,
)

NOTIFY_KIND = "chat.message"
NOTIFY_SUBJECT = "chat_thread"


def thread_for_subject(subject_type: str, subject_id: object, title: str = "") -> Thread:
    """The one thread about a subject, created on first use. The owning app calls it
    after deciding who may see the subject; it checks no access itself."""
    thread, _created = Thread.objects.get_or_create(
        subject_type=subject_type, subject_id=str(subject_id), defaults={"title": title[:200]}
    )
    return thread


def _read_advance(thread: Thread, user_id: int, message: Message) -> bool:
    state, _created = ReadState.objects.select_for_update().get_or_create(
        thread=thread, user_id=user_id
    )
    if state.last_read_id is not None and state.last_read_id >= message.pk:
        return False
    state.last_read = message
    state.save(update_fields=["last_read", "updated_at"])
    return True


def message_post(*, actor: Actor, thread: Thread, body: str, attachment: Any = None) -> Message:
    if not thread_allows(actor, thread):
        raise NotFound()
    text = (body or "").strip()
    errors: dict[str, list[ErrorMessage]] = {}
    if len(text) > BODY_MAX_CHARS:
        errors["body"] = [
            interpolate(
                _("A message can have at most %(max)d characters; this one has %(n)d."),
                max=BODY_MAX_CHARS,
                n=len(text),
            )
        ]
    info = None
    if attachment is not None:
        try:
            info = attachment_inspect(attachment)
        except AttachmentInvalid as exc:
            errors["attachment"] = [exc.message]
    if not text and attachment is None and not errors:
        errors["body"] = [_("Write a message or attach a file.")]
    if errors:
        raise ValidationFailed(errors)

    author = user_of(actor)
    if author is None:
        raise NotFound()
    with transaction.atomic():
        message = Message(
            thread=thread,
            author=author,
            author_name=display_name(author),
            author_institution=actor.institution_name,
            author_roles=sorted(actor.roles),
            body=text,
        )
        if attachment is not None and info is not None:
            name = str(getattr(attachment, "name", "") or "attachment")[-200:]
            message.attachment_name = name
            message.attachment_type = info.content_type
            message.attachment_size = info.size
            message.attachment.save(name, attachment, save=False)
        message.save()
        _read_advance(thread, actor.user_id, message)
        audit_record(
            actor=actor,
            action="chat_message.create",
            resource_type="ChatMessage",
            resource_id=message.uuid,
            patient_id=thread_patient_id(thread),
            detail={
                "thread": str(thread.uuid),
                "subject": f"{thread.subject_type}:{thread.subject_id}",
                "attachment": bool(info),
            },
        )
        _notify_others(actor, thread, message)
        payload = message_payload(message)
        transaction.on_commit(
            lambda: thread_broadcast(thread, {"type": "chat.message", "message": payload})
        )
        event_emit("chat.message_posted", thread=str(thread.uuid), message=str(message.uuid))
    return message


def _notify_others(actor: Actor, thread: Thread, message: Message) -> None:
    """One unread notification per person and thread at a time: a busy conversation does
    not bury the bell, and opening the thread clears it (thread_mark_read)."""
    others = thread_participant_ids(thread=thread) - {actor.user_id}
    already = unread_recipient_ids(
        user_ids=others, kind=NOTIFY_KIND, subject_type=NOTIFY_SUBJECT, subject_id=str(thread.uuid)
    )
    recipients = others - already
    if not recipients:
        return
    notify(
        user_ids=recipients,
        kind=NOTIFY_KIND,
        title=str(_("New message from %(name)s") % {"name": message.author_name}),
        body=message.body[:200],
        url=reverse("conferencing:thread", args=[thread.uuid]),
        subject_type=NOTIFY_SUBJECT,
        subject_id=str(thread.uuid),
    )


def thread_mark_read(*, actor: Actor, thread: Thread, up_to: object = None) -> bool:
    """Record that the actor has read the thread up to a message (its UUID; the newest
    when None). Never moves backwards. Returns whether anything changed."""
    thread = get_thread_for(actor=actor, thread_uuid=thread.uuid)
    rows = Message.objects.filter(thread=thread)
    if up_to is None:
        message = rows.order_by("-pk").first()
        if message is None:
            # Opening an empty thread still makes one a participant, told of what comes.
            ReadState.objects.get_or_create(thread=thread, user_id=actor.user_id)
            return False
    else:
        found = rows.filter(uuid=str(up_to)).first() if _is_uuid(up_to) else None
        if found is None:
            raise NotFound()
        message = found
    with transaction.atomic():
        changed = _read_advance(thread, actor.user_id, message)
        if not rows.filter(pk__gt=message.pk).exists():
            notifications_mark_subject_read(
                actor=actor, subject_type=NOTIFY_SUBJECT, subject_id=str(thread.uuid)
            )
        if changed:
            reader = {"user_id": actor.user_id, "name": _reader_name(actor), "seq": message.pk}
            transaction.on_commit(
                lambda: thread_broadcast(thread, {"type": "chat.read", "read": reader})
            )
    return changed


def _reader_name(actor: Actor) -> str:
    user = user_of(actor)
    return display_name(user) if user else actor.username


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
