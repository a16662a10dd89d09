"""Delivery adapters. E-mail goes through Django's e-mail backend. SMS goes through the
class that settings.XT_SMS_BACKEND names: "outbox" (the default) delivers nothing and the
message stays in the outbox marked "kept, not sent", which the demo shows; a gateway adapter
implements `SmsBackend`."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .models import OutboxChannel, OutboxMessage


class DeliveryFailed(Exception):
    """A channel refused or could not take the message; the task retries later."""


class SmsBackend(Protocol):
    # False for a backend that hands the message to nobody: the message is then never
    # reported sent.
    delivers: bool

    def send(self, *, phone: str, body: str) -> None:
        """Hand one text message to the gateway; raise on any failure."""


class OutboxSmsBackend:
    """No gateway (demo and embedded): the message stays in the outbox, to be read there,
    and is marked kept, never sent."""

    delivers = False

    def send(self, *, phone: str, body: str) -> None:
        return None


_ALIASES = {"outbox": "xietong.notifications.adapters.OutboxSmsBackend"}


def sms_backend() -> SmsBackend:
    name = str(settings.XT_SMS_BACKEND or "outbox")
    backend_class = import_string(_ALIASES.get(name, name))
    backend: SmsBackend = backend_class()
    return backend


def deliver(message: OutboxMessage) -> bool:
    """Send one outbox message through its channel: True when it went, False when the
    channel has nowhere to send it (the SMS outbox); raises when sending failed."""
    if message.channel == OutboxChannel.SMS:
        backend = sms_backend()
        backend.send(phone=message.address, body=message.body)
        return bool(getattr(backend, "delivers", True))
    if message.channel == OutboxChannel.EMAIL:
        sent = send_mail(
            message.subject,
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [message.address],
            fail_silently=False,
        )
        if sent != 1:
            raise DeliveryFailed("the e-mail backend accepted no message")
        return True
    raise DeliveryFailed(f"unknown channel {message.channel!r}")
