"""The base model every app builds on, and the append-only audit log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Background tasks' leases are kept beside the code that takes and recovers them (ADR 11).
from .tasks_lease import TaskLease as TaskLease


class BaseModel(models.Model):
    """External IDs are UUIDs; the integer key stays inside the database."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditOutcome(models.IntegerChoices):
    # FHIR AuditEvent.outcome codes.
    SUCCESS = 0, _("success")
    MINOR_FAILURE = 4, _("minor failure")
    SERIOUS_FAILURE = 8, _("serious failure")
    MAJOR_FAILURE = 12, _("major failure")


class AuditEvent(models.Model):
    """One line of the audit log. Rows are never updated or deleted (database triggers
    refuse it) and each row's keyed hash covers all of it and the previous row's hash, so a
    removed or edited row breaks the chain at a place `audit_verify` names."""

    # Links are numbered per chain; writers on different chains never wait for each other.
    chain = models.PositiveSmallIntegerField(default=1)
    seq = models.BigIntegerField()
    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    membership_id = models.BigIntegerField(null=True, blank=True)
    institution_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    institution_name = models.CharField(max_length=200, blank=True)
    # The acting institution's region path: supervisors search the log of their region.
    region_path = models.CharField(max_length=120, blank=True, db_index=True)
    roles = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=40, db_index=True)
    resource_type = models.CharField(max_length=60, db_index=True)
    resource_id = models.CharField(max_length=64, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    outcome = models.PositiveSmallIntegerField(choices=AuditOutcome.choices, default=0)
    ip = models.CharField(max_length=64, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # How `hash` was made (core/audit_hash.py): 2 is keyed and covers every field; 1, a plain
    # SHA-256 over part of the row, is on links written before keys, up to a chain's seal.
    hash_version = models.PositiveSmallIntegerField(default=2)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["user", "at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["chain", "seq"], name="core_auditevent_one_link_per_seq"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.chain}.{self.seq} {self.username} {self.action} {self.resource_type}"


class AuditHead(models.Model):
    """A chain's tip (its id is the chain's number). Writers lock this row, so each chain
    grows one link at a time."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class BusinessCounter(models.Model):
    """The last business number handed out for one prefix on one day
    (`core/workflow/numbers.py`)."""

    prefix = models.CharField(max_length=8)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "day"], name="core_counter_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.day}: {self.last}"
