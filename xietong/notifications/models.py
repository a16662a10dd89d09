"""In-app notifications and the outbox of messages sent through other channels."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # What happened, as a short code a workflow chooses ("consultation.accepted").
    kind = models.CharField(_("kind"), max_length=60)
    # In the platform's language (settings.LANGUAGE_CODE); `translations` holds the title and
    # body in every language the platform speaks, made when the notification was, so that
    # each reader sees it in their own language whoever's action caused it.
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    translations = models.JSONField(default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The bell's count and the unread-first list.
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notif_recipient_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Notification:
        """Every read of a notification (pages, API, admin) gets its title and body in the
        language active for the reader. Notifications are never saved back from an instance
        (marking read is an update of read_at), so the stored columns stay as written."""
        instance = super().from_db(db, field_names, values)
        texts = (instance.__dict__.get("translations") or {}).get(get_language() or "")
        if texts:
            instance.title = texts.get("title", instance.title)
            instance.body = texts.get("body", instance.body)
        return instance


class OutboxChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    # No gateway took it (the SMS outbox of the demo): it is here to read, and nobody got it.
    KEPT = "kept", _("kept here, not sent (no SMS gateway)")
    FAILED = "failed", _("failed")


class OutboxMessage(models.Model):
    """A message to send outside the app. Queued with the work that caused it, delivered
    after commit by a task; what failed stays here, visible, with the last error."""

    channel = models.CharField(_("channel"), max_length=10, choices=OutboxChannel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    address = models.CharField(_("recipient address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [models.Index(fields=["status", "created_at"], name="outbox_status_created")]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address}"
