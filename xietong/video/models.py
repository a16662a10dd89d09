"""Video rooms about a subject (a consultation, an ad-hoc meeting), the meetings this app
owns, and the quality facts of each participant's call."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.core.models import BaseModel
from xietong.patients.models import Patient


class RoomMode(models.TextChoices):
    # Browser to browser over our WebSocket signalling: two people, no media server.
    EMBEDDED = "embedded", _("browser to browser")
    # Through Janus's VideoRoom (an SFU): rooms of any size.
    JANUS = "janus", _("media server")


class Room(BaseModel):
    """One room per subject; reopened (a new Janus room) after it was closed."""

    subject_type = models.CharField(_("subject type"), max_length=40)
    subject_id = models.CharField(_("subject"), max_length=64)
    title = models.CharField(_("title"), max_length=200, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=RoomMode.choices)
    janus_room = models.BigIntegerField(_("media server room"), null=True, blank=True)
    # The PIN is handed to admitted participants' connections by the server; the secret
    # (needed to change or destroy the Janus room) never leaves the server.
    pin = models.CharField(max_length=16, blank=True)
    secret = models.CharField(max_length=64, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Set while Janus records the room; everyone in it sees an indicator.
    recording_since = models.DateTimeField(_("recording since"), null=True, blank=True)
    # After a recording stops its raw files are converted in the background (video/tasks.py).
    converting_since = models.DateTimeField(_("converting since"), null=True, blank=True)
    conversion_error = models.TextField(_("why the conversion failed"), blank=True)

    class Meta:
        verbose_name = _("video room")
        verbose_name_plural = _("video rooms")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=models.Q(closed_at__isnull=True),
                name="video_one_open_room_per_subject",
            )
        ]

    def __str__(self) -> str:
        return self.title or f"{self.subject_type}:{self.subject_id}"


class Meeting(BaseModel):
    """An ad-hoc meeting: someone invites colleagues from the directory."""

    title = models.CharField(_("title"), max_length=200)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invitees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title


class CallSession(BaseModel):
    """One participant's time in a room, for supervision: how long joining took, how many
    attempts failed and how often the connection dropped."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="calls")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField(_("joined at"))
    first_frame_ms = models.PositiveIntegerField(_("join to first picture (ms)"), null=True)
    failures = models.PositiveIntegerField(_("failed attempts"), default=0)
    drops = models.PositiveIntegerField(_("dropped connections"), default=0)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")


class Recording(BaseModel):
    """One participant's picture and sound from a recorded room, converted to a file that
    plays in a browser (WebM: VP8 and Opus), kept for the audio/video retention period."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="recordings")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    participant = models.CharField(_("participant"), max_length=100, blank=True)
    file = models.FileField(_("file"), upload_to="video/recordings/%Y/%m/")
    duration_seconds = models.FloatField(_("duration (s)"))
    retain_until = models.DateField(_("kept at least until"))

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
