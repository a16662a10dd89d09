"""Chat threads about a subject (a consultation, later a meeting), their messages and who
has read how far. Conferencing does not know the subjects: the owner of a subject type
registers who may take part (access.py)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

BODY_MAX_CHARS = 4000


class Thread(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject_type = models.CharField(_("subject type"), max_length=40)
    subject_id = models.CharField(_("subject of discussion"), max_length=64)
    title = models.CharField(_("title"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("chat thread")
        verbose_name_plural = _("chat threads")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"], name="thread_one_per_subject"
            )
        ]

    def __str__(self) -> str:
        return self.title or f"{self.subject_type}:{self.subject_id}"


class Message(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Who the author was when they wrote: memberships change, the record must not.
    author_name = models.CharField(_("author"), max_length=150)
    author_institution = models.CharField(_("institution"), max_length=200, blank=True)
    author_roles = models.JSONField(_("roles"), default=list, blank=True)
    body = models.TextField(_("message"), max_length=BODY_MAX_CHARS, blank=True)
    attachment = models.FileField(_("attachment"), upload_to="chat/%Y/%m/", blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=40, blank=True)
    attachment_size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        indexes = [models.Index(fields=["thread", "id"], name="chat_message_thread_id")]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"


class ReadState(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read = models.ForeignKey(Message, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="readstate_one_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id} to {self.last_read_id}"
