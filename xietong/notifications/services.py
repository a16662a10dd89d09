"""Notifying people: the in-app rows commit with the work that caused them; the live
count, SMS and e-mail go out after commit. Marking read is a person's own bookkeeping:
it touches only their rows and needs no audit record."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise

from xietong.accounts.selectors import users_active
from xietong.core.actor import Actor
from xietong.core.errors import NotFound

from .live import unread_count_push
from .models import Notification, OutboxChannel, OutboxMessage
from .rows import in_app_rows_insert
from .sms_text import sms_text
from .tasks import outbox_enqueue

SMS_MAX_CHARS = 300
Text = str | Promise  # a lazy text (gettext_lazy, format_lazy) is stored in every language


def texts_in_every_language(*, title: Text, body: Text) -> tuple[str, str, dict[str, Any]]:
    """The title and body in the platform's language, and in each language it speaks when
    they were given as lazy texts (a plain string is the same in every language)."""
    if not isinstance(title, Promise) and not isinstance(body, Promise):
        return str(title)[:200], str(body), {}
    translations: dict[str, dict[str, str]] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translations[code] = {"title": str(title)[:200], "body": str(body)}
    default = translations.get(settings.LANGUAGE_CODE) or next(iter(translations.values()))
    return default["title"], default["body"], translations


def notify(
    *,
    user_ids: Iterable[int],
    kind: str,
    title: Text,
    body: Text = "",
    url: str = "",
    sms: bool = False,
    email: bool = False,
    subject_type: str = "",
    subject_id: object = "",
) -> list[int]:
    """Tell these users something. Call it inside the caller's transaction: nothing is
    sent if that work rolls back. Inactive users and unknown ids are skipped. Returns the
    ids of the users told. Give `title` and `body` as lazy texts (gettext_lazy, format_lazy)
    and each reader sees them in their own language; SMS and e-mail go in the platform's."""
    title, body, translations = texts_in_every_language(title=title, body=body)
    if not (sms or email):
        told = in_app_rows_insert(
            user_ids=user_ids,
            kind=kind,
            title=title,
            body=body,
            translations=translations,
            url=url,
            subject_type=subject_type,
            subject_id=str(subject_id),
        )
        transaction.on_commit(lambda: unread_count_push(told))
        return told
    users = users_active(user_ids=user_ids)
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=user,
                kind=kind[:60],
                title=title,
                body=body,
                translations=translations,
                url=url[:500],
                subject_type=subject_type[:40],
                subject_id=str(subject_id)[:64],
            )
            for user in users
        ]
    )
    outbox: list[OutboxMessage] = []
    for user in users:
        if sms and user.phone:
            text = f"{title}：{body}" if body else str(title)
            outbox.append(
                OutboxMessage(
                    channel=OutboxChannel.SMS,
                    recipient=user,
                    address=user.phone,
                    subject=str(title)[:200],
                    body=sms_text(text, limit=SMS_MAX_CHARS),
                )
            )
        if email and user.email:
            outbox.append(
                OutboxMessage(
                    channel=OutboxChannel.EMAIL,
                    recipient=user,
                    address=user.email,
                    subject=str(title)[:200],
                    body=f"{body}\n\n{url}".strip() if url else str(body),
                )
            )
    queued = OutboxMessage.objects.bulk_create(outbox)
    user_pks = [u.pk for u in users]
    message_pks = [m.pk for m in queued]

    def after_commit() -> None:
        unread_count_push(user_pks)
        for pk in message_pks:
            outbox_enqueue(pk)

    transaction.on_commit(after_commit)
    return user_pks


def sms_queue(*, phone: str, subject: str, text: str) -> OutboxMessage:
    """An SMS to a phone number that belongs to no account (a patient's), through the
    outbox: queued with the caller's work, sent by a task after commit."""
    message = OutboxMessage.objects.create(
        channel=OutboxChannel.SMS,
        recipient=None,
        address=phone,
        subject=str(subject)[:200],
        body=sms_text(str(text), limit=SMS_MAX_CHARS),
    )
    pk = message.pk
    transaction.on_commit(lambda: outbox_enqueue(pk))
    return message


def notifications_mark_read(*, actor: Actor, notification_ids: Iterable[object]) -> int:
    """Mark some of the actor's notifications read (by UUID). One that is not theirs
    makes the whole call NotFound and changes nothing."""
    try:
        wanted = {uuid.UUID(str(n)) for n in notification_ids}
    except ValueError as exc:
        raise NotFound() from exc
    with transaction.atomic():
        mine = Notification.objects.filter(recipient_id=actor.user_id, uuid__in=wanted)
        if mine.count() != len(wanted):
            raise NotFound()
        changed = mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        transaction.on_commit(lambda: unread_count_push([actor.user_id]))
    return changed


def notifications_mark_all_read(*, actor: Actor) -> int:
    with transaction.atomic():
        changed = Notification.objects.filter(
            recipient_id=actor.user_id, read_at__isnull=True
        ).update(read_at=timezone.now())
        transaction.on_commit(lambda: unread_count_push([actor.user_id]))
    return changed


def notifications_mark_subject_read(*, actor: Actor, subject_type: str, subject_id: str) -> int:
    """Mark read the actor's notifications about one subject (they have now seen it)."""
    changed = Notification.objects.filter(
        recipient_id=actor.user_id,
        subject_type=subject_type,
        subject_id=subject_id,
        read_at__isnull=True,
    ).update(read_at=timezone.now())
    if changed:
        transaction.on_commit(lambda: unread_count_push([actor.user_id]))
    return changed
