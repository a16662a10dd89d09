"""Remote consultations: the request, its experts, its timeline and the signed opinions.

The status field is written only by workflow.transition_apply (one transition table)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.core.models import BaseModel
from xietong.directory.models import Department, Expert, Institution, Title
from xietong.patients.models import Patient


class Kind(models.TextChoices):
    GENERAL = "general", _("general consultation")
    MDT = "mdt", _("multidisciplinary (MDT)")
    IMAGING = "imaging", _("imaging")
    ECG = "ecg", _("ECG")
    PATHOLOGY = "pathology", _("pathology")


class Mode(models.TextChoices):
    REALTIME = "realtime", _("real-time")
    ASYNC = "async", _("asynchronous")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("routine")
    URGENT = "urgent", _("urgent")
    EMERGENCY = "emergency", _("emergency")


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("awaiting quality check")
    RETURNED = "returned", _("awaiting information")
    TRIAGE = "triage", _("awaiting triage")
    ASSIGNED = "assigned", _("awaiting the expert's answer")
    ACCEPTED = "accepted", _("accepted")
    SCHEDULED = "scheduled", _("scheduled")
    IN_PROGRESS = "in_progress", _("in progress")
    OPINION_SIGNED = "opinion_signed", _("awaiting acknowledgement")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class PreferredTarget(models.TextChoices):
    CENTRE = "centre", _("the centre decides")
    EXPERT = "expert", _("a named expert")
    DEPARTMENT = "department", _("a department")


class Consultation(BaseModel):
    number = models.CharField(_("number"), max_length=20, unique=True)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    requesting_institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requesting institution"),
    )
    requesting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requesting doctor"),
    )
    centre = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("telemedicine centre"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.GENERAL)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.ASYNC)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    reason = models.TextField(_("reason"), blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    wanted_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("specialty wanted"),
    )
    wanted_title = models.CharField(
        _("title wanted"), max_length=16, choices=Title.choices, blank=True
    )
    preferred_target = models.CharField(
        _("preferred"),
        max_length=12,
        choices=PreferredTarget.choices,
        default=PreferredTarget.CENTRE,
    )
    preferred_expert = models.ForeignKey(
        Expert,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("preferred expert"),
    )
    preferred_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("preferred department"),
    )
    preferred_times = models.JSONField(_("preferred times"), default=list, blank=True)
    chief_complaint = models.TextField(_("chief complaint"), blank=True)
    present_illness = models.TextField(_("present illness"), blank=True)
    history = models.TextField(_("history"), blank=True)
    examination = models.TextField(_("examination"), blank=True)
    diagnosis_code = models.CharField(
        _("preliminary diagnosis (ICD-10)"), max_length=16, blank=True
    )
    diagnosis_text = models.CharField(_("preliminary diagnosis"), max_length=200, blank=True)
    current_treatment = models.TextField(_("current treatment"), blank=True)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("opinion signed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    accept_by = models.DateTimeField(_("to be accepted by"), null=True, blank=True)
    answer_by = models.DateTimeField(_("to be answered by"), null=True, blank=True)
    scheduled_start = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    room = models.CharField(_("room"), max_length=80, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.TextField(_("comment on the opinion"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [
            models.Index(fields=["centre", "status"], name="consult_centre_status"),
            models.Index(fields=["requesting_institution", "-created_at"], name="consult_req"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="consult_rating_1_5",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def source(self) -> str:
        """How records and access grants name this consultation."""
        return f"consultation:{self.uuid}"


class CentreSettings(models.Model):
    """How a telemedicine centre runs its consultations."""

    centre = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre")
    )
    direct_expert_pick = models.BooleanField(
        _("requesters may pick the expert directly (no triage)"), default=False
    )

    class Meta:
        verbose_name = _("centre settings")
        verbose_name_plural = _("centre settings")

    def __str__(self) -> str:
        return str(self.centre)


class AssignmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("awaiting answer")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    CANCELLED = "cancelled", _("cancelled")


# Assignments whose expert takes part (and sees the patient).
LIVE_ASSIGNMENT = (AssignmentStatus.PROPOSED, AssignmentStatus.ACCEPTED)


class ConsultationAssignment(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="assignments"
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    lead = models.BooleanField(_("lead expert"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PROPOSED,
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    booking_uuid = models.UUIDField(null=True, blank=True)
    assigned_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-lead", "id"]
        indexes = [models.Index(fields=["expert", "status"], name="consult_assign_expert")]

    def __str__(self) -> str:
        return f"{self.consultation} → {self.expert}"


class ConsultationStudy(models.Model):
    """A study of the patient's imaging archive that the request asks the experts to read.
    Those who see the consultation see these studies (sharing.py) for as long as they see
    its attachments."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="studies", db_index=False
    )
    study = models.ForeignKey("imaging.Study", on_delete=models.PROTECT, related_name="+")
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    attached_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "study"], name="uniq_consultation_study"
            )
        ]
        verbose_name = _("study of a consultation")
        verbose_name_plural = _("studies of consultations")

    def __str__(self) -> str:
        return f"{self.consultation} · {self.study_id}"


class ConsultationEvent(models.Model):
    """One line of the timeline."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="events")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    reason = models.TextField(blank=True)
    # Who was told: user ids the transition notified.
    notified = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.consultation_id} {self.action}"


class DeadlineAlert(models.Model):
    """A deadline threshold the coordinator was told about: each one once."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    threshold = models.CharField(max_length=16)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "threshold"], name="uniq_deadline_alert"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} {self.threshold}"


class OpinionPart(models.TextChoices):
    OPINION = "opinion", _("opinion")
    SUMMARY = "summary", _("MDT summary")


class Opinion(BaseModel):
    """An expert's written opinion. Signed versions are frozen: a correction is a new
    version that supersedes the old one, which stays readable."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="opinions"
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    part = models.CharField(max_length=8, choices=OpinionPart.choices, default=OpinionPart.OPINION)
    version = models.PositiveSmallIntegerField(default=1)
    diagnosis = models.TextField(_("diagnosis"), blank=True)
    recommendations = models.TextField(_("treatment recommendations"), blank=True)
    referral_advised = models.BooleanField(_("referral advised"), default=False)
    # Where the patient should go, picked from the directory. PROTECT: a signed opinion is
    # frozen and its hash covers this institution, so the row it names may not vanish from
    # under it (institutions are made inactive, never deleted). Null on opinions written
    # before the picker, whose `referral_to` text says it all.
    referral_to_institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("refer to (institution)"),
    )
    # Beside the institution: the department or ward, or a note for the receiving side.
    referral_to = models.CharField(_("department or note"), max_length=200, blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    document_uuid = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["consultation", "part", "expert", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "expert", "part", "version"], name="uniq_opinion_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation} {self.part} v{self.version}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def referral_target(self) -> str:
        """Where the opinion refers the patient, as it reads: the institution and the note
        beside it ("省人民医院 · 心血管内科"), or an older opinion's text alone."""
        institution = self.referral_to_institution
        parts = [institution.name if institution else "", self.referral_to]
        return " · ".join(part for part in parts if part)
