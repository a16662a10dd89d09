"""Gateways that hospitals push through, and the FHIR resources they pushed.

A resource is kept as the JSON the hospital sent (with our logical id and version), beside
the columns searches filter on, so a search never parses JSON. Identifiers and codes, of
which a resource has several, sit in a token table."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.core.models import BaseModel
from xietong.directory.models import Institution
from xietong.patients.models import Patient


class Gateway(BaseModel):
    """A hospital's front-end machine. It writes only as its institution; the secret it
    authenticates with is shown once and only its hash is kept."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    name = models.CharField(_("name"), max_length=80)
    active = models.BooleanField(_("active"), default=True)
    secret_hash = models.CharField(max_length=64, unique=True)
    secret_prefix = models.CharField(max_length=12)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # What the gateway said of itself in its last heartbeat.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    queue_depth = models.PositiveIntegerField(default=0)
    oldest_waiting_s = models.FloatField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    errors_last_hour = models.PositiveIntegerField(default=0)
    version = models.CharField(max_length=40, blank=True, default="")
    # Where the platform pushes to this hospital, and what (ADR 27): the gateway announces
    # both in its heartbeat. No address: nothing is queued for it.
    push_url = models.CharField(max_length=300, blank=True, default="")
    push_kinds = models.JSONField(default=list, blank=True)  # empty: every kind

    class Meta:
        ordering = ["institution_id", "name"]
        verbose_name = _("exchange gateway")
        verbose_name_plural = _("exchange gateways")

    def __str__(self) -> str:
        return self.name


class ExchangeMessage(models.Model):
    """One Bundle a gateway pushed, under the gateway's message id: the answer given the first
    time is kept and given again to a resend, so nothing is applied twice."""

    gateway = models.ForeignKey(Gateway, on_delete=models.PROTECT, related_name="messages")
    message_id = models.CharField(max_length=128)
    bundle_type = models.CharField(max_length=16)
    received_at = models.DateTimeField()
    entry_count = models.PositiveIntegerField()
    refused_count = models.PositiveIntegerField(default=0)
    response = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gateway", "message_id"], name="uniq_gateway_message")
        ]
        indexes = [models.Index(fields=["gateway", "-received_at"], name="exchange_msg_recent")]

    def __str__(self) -> str:
        return self.message_id


class FhirResource(models.Model):
    """The current version of one resource a hospital pushed."""

    resource_type = models.CharField(max_length=40)
    logical_id = models.UUIDField()
    version_id = models.PositiveIntegerField(default=1)
    content = models.JSONField()
    # Our patient, when the resource is a Patient we matched or belongs to one.
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The FHIR Patient it is about ("Patient/<id>"), matched or not: searches by patient.
    subject = models.CharField(max_length=60, blank=True, default="")
    source_institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    last_updated = models.DateTimeField()
    # Search columns taken from the JSON when it is stored (exchange/push/columns.py).
    date = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["resource_type", "logical_id"], name="uniq_fhir_resource_id"
            )
        ]
        indexes = [
            models.Index(fields=["resource_type", "subject", "date"], name="fhir_by_subject"),
            models.Index(fields=["patient", "resource_type"], name="fhir_by_patient"),
            models.Index(fields=["resource_type", "date"], name="fhir_by_date"),
            models.Index(fields=["resource_type", "last_updated"], name="fhir_by_last_updated"),
        ]
        # On PostgreSQL, migration 0004 adds the newest-first orders searches walk
        # (`date DESC NULLS LAST`, which SQLite cannot index).

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.logical_id}"


class TokenParam(models.TextChoices):
    IDENTIFIER = "identifier"
    CODE = "code"
    CATEGORY = "category"


class FhirToken(models.Model):
    """An identifier or coding of a resource, for token searches and conditional writes."""

    resource = models.ForeignKey(FhirResource, on_delete=models.CASCADE, related_name="tokens")
    resource_type = models.CharField(max_length=40)
    param = models.CharField(max_length=16, choices=TokenParam.choices)
    system = models.CharField(max_length=200, blank=True, default="")
    value = models.CharField(max_length=200)
    # Copies of the resource's patient and clinical date, so that a search naming a code but
    # no patient walks one index in date order, keeps the tokens of patients the reader
    # sees, and stops at its page, instead of reading every resource with that code (ADR 26).
    # The resource's own foreign key already guards the patient: none again here.
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+",
        db_constraint=False, db_index=False,
    )  # fmt: skip
    date = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["resource_type", "param", "value", "system"], name="fhir_token"),
            models.Index(
                fields=["resource_type", "param", "value", "date", "resource"],
                name="fhir_token_by_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.param}={self.system}|{self.value}"


class ProvenanceAction(models.TextChoices):
    CREATE = "create"
    UPDATE = "update"


class ResourceProvenance(models.Model):
    """Where each version of a resource came from."""

    resource = models.ForeignKey(FhirResource, on_delete=models.CASCADE, related_name="provenance")
    version_id = models.PositiveIntegerField()
    action = models.CharField(max_length=8, choices=ProvenanceAction.choices)
    gateway = models.ForeignKey(Gateway, on_delete=models.PROTECT, related_name="+")
    message = models.ForeignKey(ExchangeMessage, on_delete=models.PROTECT, related_name="+")
    # The hospital system that made it (Bundle or resource meta.source), as the gateway says.
    source_system = models.CharField(max_length=200, blank=True, default="")
    received_at = models.DateTimeField()

    class Meta:
        # The connection page counts each gateway's week per type and day from here.
        indexes = [models.Index(fields=["gateway", "received_at"], name="provenance_by_gateway")]

    def __str__(self) -> str:
        return f"{self.action} v{self.version_id}"


class PushKind(models.TextChoices):
    """What the platform pushes to a hospital's gateway (ADR 27)."""

    DOWN_REFERRAL = "down_referral", _("Down-referral with its rehabilitation plan")
    OPINION = "opinion", _("Signed consultation opinion")
    IMAGING_REPORT = "imaging_report", _("Signed imaging report")


class OutgoingState(models.TextChoices):
    WAITING = "waiting", _("Waiting to be delivered")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Not sent: the gateway was revoked")


class OutgoingMessage(models.Model):
    """One Bundle for one gateway, written in the transaction of what it tells (a signature,
    a down-referral) and kept until the gateway has answered 2xx. `message_id` is the
    idempotency key the gateway stores it under: a resend is stored once."""

    gateway = models.ForeignKey(Gateway, on_delete=models.PROTECT, related_name="outgoing")
    message_id = models.CharField(max_length=128, unique=True)
    kind = models.CharField(max_length=20, choices=PushKind.choices)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    # What it tells, for people ("consultation C2026-0001 opinion v1").
    subject = models.CharField(max_length=200)
    bundle = models.JSONField()
    created_at = models.DateTimeField()
    state = models.CharField(
        max_length=10, choices=OutgoingState.choices, default=OutgoingState.WAITING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outgoing_due"),
            models.Index(fields=["gateway", "state", "created_at"], name="outgoing_by_gateway"),
        ]

    def __str__(self) -> str:
        return self.message_id


class ClosedDay(models.Model):
    """A local day that is over and whose counts per gateway are kept below: the connection
    page reads them instead of counting the day's provenance again (connection/closed_days)."""

    day = models.DateField(unique=True)
    closed_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.day)


class DayResourceCount(models.Model):
    """Resources (versions written) one gateway sent of one type on one closed day."""

    day = models.DateField()
    gateway = models.ForeignKey(Gateway, on_delete=models.CASCADE, related_name="+")
    resource_type = models.CharField(max_length=40)
    resources = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "day", "resource_type"], name="uniq_day_resource_count"
            )
        ]
        indexes = [models.Index(fields=["day", "gateway"], name="day_resource_count_by_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.resource_type} {self.resources}"


class DayMessageCount(models.Model):
    """Messages, their entries and refused entries of one gateway on one closed day."""

    day = models.DateField()
    gateway = models.ForeignKey(Gateway, on_delete=models.CASCADE, related_name="+")
    messages = models.PositiveIntegerField()
    entries = models.PositiveIntegerField()
    refused = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gateway", "day"], name="uniq_day_message_count")
        ]
        indexes = [models.Index(fields=["day", "gateway"], name="day_message_count_by_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.messages}"
