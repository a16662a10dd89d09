"""A reading request (影像诊断申请) of one study, its timeline, and its report's versions.

The status field is written only by the workflow engine (workflow.py holds the table)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.core.models import BaseModel
from xietong.directory.models import Institution
from xietong.patients.models import Patient

from ..models import Study


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("routine")
    URGENT = "urgent", _("urgent")
    EMERGENCY = "emergency", _("emergency")


class Status(models.TextChoices):
    REQUESTED = "requested", _("waiting to be read")
    READING = "reading", _("being read")
    PRELIMINARY = "preliminary", _("preliminary report, awaiting review")
    FINAL = "final", _("final report")
    AMENDED = "amended", _("final report, corrected")
    CANCELLED = "cancelled", _("cancelled")


class ReadingRequest(BaseModel):
    """The sending institution asks the reading centre that serves it to read one study of
    its patient. The centre's readers see it in their worklist; one claims it and reads it."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    requesting_institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requesting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    centre = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("reading centre")
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    clinical_question = models.TextField(_("clinical question"))
    # What the worklist filters on, copied from the study when it is asked for (one table).
    modalities = models.CharField(max_length=100, blank=True, default="")
    body_part = models.CharField(max_length=16, blank=True, default="")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # The reader who claimed it (none while it waits in the worklist).
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    preliminary_at = models.DateTimeField(null=True, blank=True)
    final_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    # A critical finding (危急值) stays before the requester until they acknowledge it.
    critical = models.BooleanField(_("critical finding"), default=False)
    critical_acknowledged_at = models.DateTimeField(null=True, blank=True)
    critical_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("reading request")
        verbose_name_plural = _("reading requests")
        indexes = [
            models.Index(fields=["centre", "status", "created_at"], name="imaging_reading_work"),
            models.Index(fields=["requesting_institution", "status"], name="imaging_reading_req"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def modality_list(self) -> list[str]:
        return [m for m in self.modalities.split("/") if m]


class ReadingEvent(models.Model):
    """One line of a reading request's timeline (every step writes one)."""

    reading = models.ForeignKey(ReadingRequest, on_delete=models.CASCADE, related_name="events")
    actor_user_id = models.IntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    reason = models.TextField(blank=True)
    notified = models.JSONField(default=list, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.reading_id} {self.action}"


class ImagingReport(BaseModel):
    """One version of the report. The reader writes the draft and submits it as preliminary;
    a senior signs it final, which freezes it (hashed). A correction is a new signed version
    that supersedes the last, which stays readable."""

    reading = models.ForeignKey(ReadingRequest, on_delete=models.CASCADE, related_name="reports")
    version = models.PositiveSmallIntegerField(default=1)
    technique = models.TextField(_("technique"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    impression = models.TextField(_("impression"), blank=True)
    advice = models.TextField(_("advice"), blank=True)
    critical = models.BooleanField(_("critical finding"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    preliminary_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_hash = models.CharField(max_length=64, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)

    class Meta:
        ordering = ["reading", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["reading", "version"], name="uniq_imaging_report_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reading} v{self.version}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None
