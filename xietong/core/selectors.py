"""Reading the audit log. Every read of it is itself written to it, success or refusal."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from .access import audit_chain_verifiable_by, audit_log_scope
from .actor import Actor
from .audit import ChainReport, audit_record, audit_verify
from .errors import NotFound
from .models import AuditEvent, AuditOutcome

# Core knows no app. An app that stores patients registers how a patient's external UUID
# maps to the integer id the log keeps, so auditors can search by the id they see in URLs.
PatientResolver = Callable[[uuid.UUID], int | None]
_patient_resolvers: list[PatientResolver] = []


def audit_patient_resolver_register(resolver: PatientResolver) -> PatientResolver:
    if resolver not in _patient_resolvers:
        _patient_resolvers.append(resolver)
    return resolver


@dataclass(frozen=True)
class AuditFilters:
    username: str = ""
    action: str = ""
    resource_type: str = ""
    patient: str = ""  # the integer id the log keeps, or the patient's UUID
    outcome: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_detail(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


def _local_midnight(day: date) -> datetime:
    # Dates typed by a user are days in Asia/Shanghai, not in UTC.
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _patient_filter(value: str) -> Q:
    value = value.strip()
    if value.isascii() and value.isdigit():
        # Past 18 digits no id exists, and the database would refuse the number outright.
        return Q(patient_id=int(value)) if len(value) <= 18 else Q(pk__in=[])
    try:
        external = uuid.UUID(value)
    except ValueError:
        return Q(pk__in=[])  # neither form of a patient id: nothing matches
    match = Q(resource_id=str(external))
    for resolve in _patient_resolvers:
        internal = resolve(external)
        if internal is not None:
            match |= Q(patient_id=internal)
    return match


def audit_events_for(*, actor: Actor | None, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The events `actor` may read that match `filters`, newest first."""
    scope = audit_log_scope(actor)
    if scope is None:
        raise NotFound()
    events = AuditEvent.objects.filter(scope)
    if filters.username:
        events = events.filter(username__icontains=filters.username.strip())
    if filters.action:
        events = events.filter(action__istartswith=filters.action.strip())
    if filters.resource_type:
        events = events.filter(resource_type__iexact=filters.resource_type.strip())
    if filters.patient:
        events = events.filter(_patient_filter(filters.patient))
    if filters.outcome is not None:
        events = events.filter(outcome=filters.outcome)
    if filters.date_from:
        events = events.filter(at__gte=_local_midnight(filters.date_from))
    if filters.date_to:
        events = events.filter(at__lt=_local_midnight(filters.date_to + timedelta(days=1)))
    return events.order_by("-id")


def audit_log_search(*, actor: Actor | None, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """audit_events_for, leaving a trace of who searched the log for what."""
    try:
        events = audit_events_for(actor=actor, filters=filters)
    except NotFound:
        audit_record(
            actor=actor,
            action="audit.search",
            resource_type="AuditEvent",
            outcome=AuditOutcome.MINOR_FAILURE,
            detail={"reason": "not permitted"},
        )
        raise
    audit_record(
        actor=actor, action="audit.search", resource_type="AuditEvent", detail=filters.as_detail()
    )
    return events


def audit_chain_check(*, actor: Actor | None) -> ChainReport:
    """Verify the whole hash chain (platform admins only) and record that it was checked.
    The verifier reads one snapshot, so appends made meanwhile never show as a break here: a
    serious failure recorded is one the chains really have."""
    if not audit_chain_verifiable_by(actor):
        raise NotFound()
    report = audit_verify()
    audit_record(
        actor=actor,
        action="audit.verify",
        resource_type="AuditEvent",
        # A broken chain is a security incident: it stands out in the log it protects.
        outcome=AuditOutcome.SUCCESS if report.ok else AuditOutcome.SERIOUS_FAILURE,
        detail={
            "checked": report.checked,
            "chain": report.chain,
            "broken_at": report.broken_at,
            "reason": report.reason,
            "kind": report.kind,
        },
    )
    return report
