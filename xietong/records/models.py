"""Clinical documents that a consultation or a referral attaches and shares (FHIR
DocumentReference + Binary): a file of known type and hash, with its status and history."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.models import BaseModel
from xietong.directory.models import Institution
from xietong.patients.models import Patient


class DocumentKind(models.TextChoices):
    DOCUMENT = "document", _("document")
    PAPER_PHOTO = "paper_photo", _("photo of a paper record")
    LAB_REPORT = "lab_report", _("laboratory report")
    EXAMINATION_REPORT = "exam_report", _("examination report")
    IMAGING_REPORT = "imaging_report", _("imaging report")
    CONSULTATION_OPINION = "consult_opinion", _("consultation opinion")
    REFERRAL_SLIP = "referral_slip", _("referral slip")
    TREATMENT_SUMMARY = "treatment_summary", _("treatment summary")
    REHABILITATION_PLAN = "rehab_plan", _("rehabilitation plan")
    RECORDING = "recording", _("recording")
    OTHER = "other", _("other")


class DocumentStatus(models.TextChoices):
    # FHIR DocumentReference.status.
    CURRENT = "current", _("current")
    SUPERSEDED = "superseded", _("superseded")
    ENTERED_IN_ERROR = "entered-in-error", _("entered in error")


class RetentionClass(models.TextChoices):
    """How long the record must be kept (national rules on medical records and telemedicine:
    outpatient ≥ 15 years, inpatient ≥ 30, consultation audio/video ≥ 3)."""

    OUTPATIENT = "outpatient", _("outpatient record")
    INPATIENT = "inpatient", _("inpatient record")
    AUDIO_VIDEO = "audio_video", _("audio or video recording")


# Minimum years per retention class: the settings XT_RETENTION_*_YEARS (config/settings/base.py).
_RETENTION_SETTINGS = {
    RetentionClass.OUTPATIENT: "XT_RETENTION_OUTPATIENT_YEARS",
    RetentionClass.INPATIENT: "XT_RETENTION_INPATIENT_YEARS",
    RetentionClass.AUDIO_VIDEO: "XT_RETENTION_AUDIO_VIDEO_YEARS",
}


def retention_years(retention: str) -> int:
    return int(getattr(settings, _RETENTION_SETTINGS[RetentionClass(retention)]))


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


class ClinicalDocument(BaseModel):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="documents")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=120)
    clinical_date = models.DateField(_("clinical date"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="records/%Y/%m/", max_length=200)
    # Judged from the file's first bytes, never from its name or the declared type.
    content_type = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.CURRENT
    )
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    # The workflow object the document belongs to ("consultation:<uuid>"), so workflows list
    # their attachments without this app knowing them.
    source = models.CharField(max_length=80, blank=True, default="")
    retention = models.CharField(
        _("retention"),
        max_length=12,
        choices=RetentionClass.choices,
        default=RetentionClass.OUTPATIENT,
    )
    error_reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-clinical_date", "-created_at"]
        verbose_name = _("clinical document")
        verbose_name_plural = _("clinical documents")
        indexes = [
            models.Index(fields=["patient", "status", "-created_at"], name="record_patient"),
            models.Index(fields=["source", "status"], name="record_source"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def keep_until(self) -> dt.date:
        """The earliest date the document may be destroyed."""
        # Counted from the later of the clinical date and the filing: a photo of an old
        # paper record filed today is kept from today.
        filed = (self.created_at or dt.datetime.now(dt.UTC)).date()
        start = max(self.clinical_date, filed) if self.clinical_date else filed
        return _years_after(start, retention_years(self.retention))

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
