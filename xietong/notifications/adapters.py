"""Delivery adapters. E-mail goes through Django's e-mail backend. SMS goes through the
class that settings.XT_SMS_BACKEND names: "outbox" (the default) keeps the message in the
outbox marked sent, which the demo shows; a gateway adapter implements `SmsBackend`."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from .models import OutboxChannel, OutboxMessage


class DeliveryFailed(Exception):
    """A channel refused or could not take the message; the task retries later."""


class SmsBackend(Protocol):
    def send(self, *, phone: str, body: str) -> None:
        """Hand one text message to the gateway; raise on any failure."""


class OutboxSmsBackend:
    """No gateway: the outbox row itself is the delivered message (demo and embedded)."""

    def send(self, *, phone: str, body: str) -> None:
        return None


_ALIASES = {"outbox": "xietong.notifications.adapters.OutboxSmsBackend"}


def sms_backend() -> SmsBackend:
    name = str(settings.XT_SMS_BACKEND or "outbox")
    backend_class = import_string(_ALIASES.get(name, name))
    backend: SmsBackend = backend_class()
    return backend


def deliver(message: OutboxMessage) -> None:
    """Send one outbox message through its channel; raises when it did not go."""
    if message.channel == OutboxChannel.SMS:
        sms_backend().send(phone=message.address, body=message.body)
    elif message.channel == OutboxChannel.EMAIL:
        sent = send_mail(
            message.subject,
            message.body,
            settings.DEFAULT_FROM_EMAIL,
            [message.address],
            fail_silently=False,
        )
        if sent != 1:
            raise DeliveryFailed("the e-mail backend accepted no message")
    else:
        raise DeliveryFailed(f"unknown channel {message.channel!r}")
