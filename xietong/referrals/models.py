"""Two-way referrals: up for an examination, a visit or a transfer; back down with a
rehabilitation plan and its follow-up visits; the criteria that say when a referral fits.

Referral.status is written only through the transition table in workflow.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.models import BaseModel
from xietong.directory.models import Department, Institution
from xietong.patients.models import Patient


class Kind(models.TextChoices):
    EXAMINATION = "examination", _("examination referral")
    OUTPATIENT = "outpatient", _("outpatient referral")
    INPATIENT = "inpatient", _("inpatient transfer")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("routine")
    URGENT = "urgent", _("urgent")
    EMERGENCY = "emergency", _("emergency (green channel)")


class Status(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("referral", "awaiting the receiving desk")
    PROPOSED = "proposed", pgettext_lazy("referral", "another time proposed")
    ACCEPTED = "accepted", pgettext_lazy("referral", "accepted, awaiting arrival")
    DECLINED = "declined", pgettext_lazy("referral", "declined")
    ARRIVED = "arrived", pgettext_lazy("referral", "arrived")
    NO_SHOW = "no_show", pgettext_lazy("referral", "did not come")
    REPORTED = "reported", pgettext_lazy("referral", "examination report available")
    TREATED = "treated", pgettext_lazy("referral", "treatment finished")
    DOWN_REQUESTED = "down_requested", pgettext_lazy("referral", "referred back down")
    FOLLOW_UP = "follow_up", pgettext_lazy("referral", "in follow-up")
    CLOSED = "closed", pgettext_lazy("referral", "closed")
    CANCELLED = "cancelled", pgettext_lazy("referral", "cancelled")


class Outcome(models.TextChoices):
    TREATED_LOCALLY = "treated_locally", _("treated at the sending institution")
    REFERRED_ON = "referred_on", _("referred on for a visit or admission")
    RECOVERED = "recovered", _("follow-up completed")
    NO_DOWN_REFERRAL = "no_down_referral", _("no down-referral needed")
    OTHER = "other", _("other")


class Referral(BaseModel):
    number = models.CharField(_("referral number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    sending_institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("referred from")
    )
    sending_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referring doctor"),
    )
    receiving_institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("referred to")
    )
    receiving_department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    examination_type = models.CharField(_("examination"), max_length=16, blank=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ons",
        verbose_name=_("follows on from"),
    )
    # The consultation whose opinion advised this referral (consultations know it by this).
    consultation_uuid = models.UUIDField(null=True, blank=True, db_index=True)
    reason = models.TextField(_("reason for referral"))
    clinical_summary = models.TextField(_("clinical summary"))
    diagnosis_code = models.CharField(_("diagnosis (ICD-10)"), max_length=16)
    diagnosis_text = models.CharField(_("diagnosis"), max_length=200)
    shared_documents = models.JSONField(_("shared records"), default=list, blank=True)
    criteria_met = models.BooleanField(_("meets the referral criteria"), default=True)
    criteria_group = models.CharField(_("disease group"), max_length=100, blank=True)
    justification = models.TextField(_("justification"), blank=True)

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    booking_uuid = models.UUIDField(null=True, blank=True)
    # Copied from the booked slot, so lists and today's arrivals need no join.
    slot_start = models.DateTimeField(_("appointment"), null=True, blank=True)
    proposed_slot_uuid = models.UUIDField(null=True, blank=True)
    proposed_start = models.DateTimeField(_("proposed time"), null=True, blank=True)
    proposal_note = models.CharField(_("note on the proposal"), max_length=300, blank=True)
    ack_by = models.DateTimeField(_("to be acknowledged by"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    coordinator_alerted_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    report_document_uuid = models.UUIDField(null=True, blank=True)
    report_summary = models.TextField(_("examination findings"), blank=True)
    treatment_summary = models.TextField(_("treatment summary"), blank=True)
    discharge_diagnosis = models.CharField(_("discharge diagnosis"), max_length=200, blank=True)
    treated_at = models.DateTimeField(_("treatment finished at"), null=True, blank=True)
    down_institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred back to"),
    )
    down_requested_at = models.DateTimeField(null=True, blank=True)
    down_accepted_at = models.DateTimeField(null=True, blank=True)
    down_decline_reason = models.TextField(_("reason for declining the down-referral"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("note on the outcome"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["sending_institution", "-created_at"], name="referral_sending"),
            models.Index(fields=["receiving_institution", "status"], name="referral_receiving"),
            models.Index(fields=["receiving_institution", "slot_start"], name="referral_arrivals"),
            models.Index(fields=["down_institution", "status"], name="referral_down"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def green_channel(self) -> bool:
        return self.urgency == Urgency.EMERGENCY

    @property
    def source(self) -> str:
        """How records and bookings name this referral."""
        return f"referral:{self.uuid}"


class RehabilitationPlan(models.Model):
    """What the receiving doctor hands down with the patient."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="plan")
    instructions = models.TextField(_("instructions"))
    # [{"name": "阿司匹林肠溶片", "dose": "100 mg", "frequency": "每日一次"}, …]
    medications = models.JSONField(_("medications"), default=list, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.referral} plan"


class FollowUp(models.Model):
    """A follow-up date of the plan, and the visit recorded against it."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="follow_ups")
    due_date = models.DateField(_("due"))
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    note = models.TextField(_("findings"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["due_date", "visited_on"], name="followup_due")]

    def __str__(self) -> str:
        return f"{self.referral} {self.due_date}"


class ReferralEvent(models.Model):
    """One line of the timeline: where the patient is, for everyone who sees the referral."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    institution_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.action}"


class ReferralCriterion(models.Model):
    """When a referral is indicated: a disease group by ICD-10 range, from institutions of a
    level (blank: any), for some kinds (empty: all). A referral no criterion covers is not
    refused; it needs a written justification and is counted for supervisors."""

    disease_group = models.CharField(_("disease group"), max_length=100)
    icd_from = models.CharField(_("ICD-10 from"), max_length=8)
    icd_to = models.CharField(_("ICD-10 to"), max_length=8)
    sending_level = models.CharField(_("sending level"), max_length=12, blank=True)
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["icd_from", "sending_level"]
        verbose_name = _("referral criterion")
        verbose_name_plural = _("referral criteria")

    def __str__(self) -> str:
        return f"{self.disease_group} {self.icd_from}–{self.icd_to}"
