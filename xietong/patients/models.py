"""Residents as patients, their identifiers, who cares for them, and their consents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.core.models import BaseModel
from xietong.directory.models import Institution, Region


class Sex(models.TextChoices):
    # GB/T 2261.1 codes, as the resident ID's sequence digit implies them.
    MALE = "1", _("male")
    FEMALE = "2", _("female")
    UNKNOWN = "0", _("unknown")


class Patient(BaseModel):
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    resident_id = models.CharField(
        _("resident ID"), max_length=18, unique=True, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    address_region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("address region")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    registered_by = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        indexes = [models.Index(fields=["name", "birth_date"])]

    def __str__(self) -> str:
        return self.name


class IdentifierSystem(models.TextChoices):
    RESIDENT_ID = "resident-id", _("resident ID")
    MRN = "mrn", _("medical record number")
    INSURANCE = "insurance", _("insurance card")


class PatientIdentifier(models.Model):
    """Identifiers other systems know the patient by. Medical record numbers are unique
    within the institution that assigned them."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="identifiers")
    system = models.CharField(max_length=16, choices=IdentifierSystem.choices)
    value = models.CharField(max_length=64)
    assigner = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["system", "assigner", "value"], name="uniq_identifier_per_assigner"
            ),
            models.UniqueConstraint(
                fields=["system", "value"],
                condition=models.Q(assigner__isnull=True),
                name="uniq_identifier_unassigned",
            ),
        ]
        indexes = [models.Index(fields=["value"])]

    def __str__(self) -> str:
        return f"{self.system}|{self.value}"


class CareReason(models.TextChoices):
    REGISTERED = "registered", _("registered the patient")
    CARES = "cares", _("cares for the patient")
    CONSULTATION = "consultation", _("takes part in a consultation")
    REFERRAL = "referral", _("takes part in a referral")


class CareRelationship(models.Model):
    """An institution that may see a patient's data, and why."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=16, choices=CareReason.choices)
    since = models.DateTimeField(auto_now_add=True)
    # How this institution reaches the patient, as its registrar typed it. The index
    # record's contact details belong to whoever recorded them and are not shown to an
    # institution that merely registered the same resident ID.
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="")
    address = models.CharField(_("address"), max_length=200, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "patient"], name="uniq_care_relationship"
            )
        ]
        # An institution's most recent patients, without sorting all of them.
        indexes = [models.Index(fields=["institution", "-since"], name="care_institution_recent")]

    def __str__(self) -> str:
        return f"{self.institution} ↔ {self.patient}"


class ConsentKind(models.TextChoices):
    TELEMEDICINE = "telemedicine", _("telemedicine")
    RECORDING = "recording", _("audio/video recording")
    # Recorded at one institution, it lets that institution's clinicians read what other
    # institutions hold about the patient (docs/adr/0013-patient-data-across-institutions.md).
    SHARING = "sharing", _("sharing records between institutions")


class ConsentStatus(models.TextChoices):
    # FHIR Consent.status codes that apply here.
    ACTIVE = "active", _("active")
    INACTIVE = "inactive", _("withdrawn")


class ConsentRelationship(models.TextChoices):
    SELF = "self", _("the patient")
    SPOUSE = "spouse", _("spouse")
    PARENT = "parent", _("parent")
    CHILD = "child", _("child")
    SIBLING = "sibling", _("sibling")
    GUARDIAN = "guardian", _("legal guardian")
    OTHER = "other", _("other relative or representative")


class Consent(BaseModel):
    """A written informed consent, signed by the patient or a guardian, with its scan."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("kind"), max_length=16, choices=ConsentKind.choices)
    status = models.CharField(max_length=10, choices=ConsentStatus.choices, default="active")
    signed_on = models.DateField(_("signed on"))
    signed_by = models.CharField(_("signed by"), max_length=60)
    relationship = models.CharField(
        _("relationship to patient"),
        max_length=20,
        choices=ConsentRelationship.choices,
        default="self",
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scan = models.FileField(_("scanned form"), upload_to="consents/%Y/%m/")
    scan_sha256 = models.CharField(max_length=64)
    # Judged from the file's first bytes when it was uploaded, never from its name.
    scan_content_type = models.CharField(max_length=40, blank=True, default="")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["patient", "kind", "status"], name="consent_patient_kind")]

    def __str__(self) -> str:
        return f"{self.patient} {self.kind}"


class PatientAccessGrant(models.Model):
    """One named person's access to one patient for as long as a piece of work needs it: an
    expert assigned to a consultation sees that patient, and loses the access on declining
    or when the work ends. Institutions get access through CareRelationship instead."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # What the access is for, e.g. "consultation:<uuid>": revoking names the same source.
    source = models.CharField(max_length=80)
    reason = models.CharField(max_length=200, blank=True)
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set when the work ends: until then the grant reads (never writes) what was shared for
    # the work; after it, nothing.
    read_only_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "user", "source"], name="uniq_patient_access_grant"
            )
        ]
        indexes = [models.Index(fields=["user", "patient"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.patient_id} ({self.source})"


class BreakGlass(models.Model):
    """An emergency opening of a patient's whole record (other institutions' documents and
    consents) by one clinician, with the reason they gave, for a few hours. Every one is
    audited, notified to the institutions whose data it opens, and counted for supervisors."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="break_glass")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    started_at = models.DateTimeField(auto_now_add=True)
    ends_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "patient", "ends_at"], name="break_glass_live")]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.patient_id} until {self.ends_at:%Y-%m-%d %H:%M}"


class IdentityConflict(models.Model):
    """A data-quality task: an institution registered a resident ID that the index holds
    under another name (or birth date, or sex). The registration became a record of its own;
    a person decides later whether the two are one resident. Never shown to the registrar."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    known_patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    # Which fields differ (names only: the values stay in the two records).
    fields = models.JSONField(default=list)
    reported_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["resolved_at"], name="identity_conflict_open")]

    def __str__(self) -> str:
        return f"{self.patient_id} ≟ {self.known_patient_id}"
