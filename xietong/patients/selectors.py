"""Reads of patients, scoped to what the actor may see. Every read of patient data leaves
an audit event (ATNA), and so does every refused attempt."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import NotFound, ValidationFailed
from xietong.core.keys import uuid_or_none
from xietong.core.models import AuditOutcome
from xietong.core.reads import SHOW, Intent, read_recorded, read_refused
from xietong.directory.models import Region

from .access import (
    can_view_patients,
    patient_seen_by,
    patient_visible_to,
    record_wide_for,
    visible_patient_column_q,
    visible_patients_q,
)
from .models import (
    BreakGlass,
    CareRelationship,
    Consent,
    ConsentStatus,
    IdentifierSystem,
    Patient,
    PatientIdentifier,
)
from .residentid import resident_id_mask, resident_id_normalise
from .validation import FieldInvalid, phone_normalise

MAX_RESULTS = 100
_RESIDENT_ID_SHAPE = re.compile(r"\d{17}[\dX]")
_IDENTIFIER_SHAPE = re.compile(r"[A-Z0-9][A-Z0-9._/\-]*")


def patients_visible_to(actor: Actor) -> QuerySet[Patient]:
    return Patient.objects.filter(visible_patients_q(actor))


def patients_visible_in(actor: Actor, column: str) -> Q:
    """A filter on another table's patient column keeping the patients the actor sees."""
    return visible_patient_column_q(actor, column)


def get_patient_for(
    *, actor: Actor, patient_uuid: uuid.UUID | str, intent: Intent = SHOW
) -> Patient:
    """The patient, when the actor may see them; NotFound for missing and forbidden alike.
    The read (unless it feeds a write) and the refusal are audited (core/reads.py)."""
    key = uuid_or_none(patient_uuid)
    # The patient and whether the actor may see them, in one query.
    visible = ExpressionWrapper(visible_patients_q(actor), output_field=BooleanField())
    patient = Patient.objects.filter(uuid=key).annotate(xt_visible=visible).first() if key else None
    if patient is None or not getattr(patient, "xt_visible", False):
        read_refused(actor=actor, resource_type="Patient", resource_id=patient_uuid,
                     patient_id=patient.pk if patient else None)  # fmt: skip
        raise NotFound()
    patient_seen_by(actor, patient)
    read_recorded(actor=actor, intent=intent, resource_type="Patient", resource_id=patient.uuid,
                  patient_id=patient.pk)  # fmt: skip
    return patient


def get_consent_for(
    *,
    actor: Actor,
    patient_uuid: uuid.UUID | str,
    consent_uuid: uuid.UUID | str,
    intent: Intent = SHOW,
) -> Consent:
    """A consent (for its scan) of a patient the actor may see; the read is audited."""
    p_key, c_key = uuid_or_none(patient_uuid), uuid_or_none(consent_uuid)
    consent = (
        Consent.objects.select_related("patient").filter(uuid=c_key, patient__uuid=p_key).first()
        if p_key and c_key
        else None
    )
    if consent is None or not (
        patient_visible_to(actor, consent.patient)
        and (
            consent.institution_id == actor.institution_id
            or record_wide_for(actor, consent.patient_id)
        )
    ):
        read_refused(actor=actor, resource_type="Consent", resource_id=consent_uuid,
                     patient_id=consent.patient_id if consent else None)  # fmt: skip
        raise NotFound()
    read_recorded(actor=actor, intent=intent, resource_type="Consent", resource_id=consent.uuid,
                  patient_id=consent.patient_id)  # fmt: skip
    return consent


def has_active_consent(patient: Patient, kind: str) -> bool:
    """Whether the patient has a signed consent of this kind that was not withdrawn."""
    return Consent.objects.filter(patient=patient, kind=kind, status=ConsentStatus.ACTIVE).exists()


@dataclass(frozen=True)
class PatientRecord:
    """What the detail page and API show besides the demographics."""

    identifiers: list[PatientIdentifier]
    care: list[CareRelationship]
    consents: list[Consent]


def patient_record_for(patient: Patient, *, actor: Actor) -> PatientRecord:
    """The parts of a patient already fetched through get_patient_for (which audited it).
    An institution that only registered the patient sees its own consents and care, not
    where else the patient is treated (docs/adr/0013)."""
    identifiers = patient.identifiers.select_related("assigner").order_by("system", "value")
    care = patient.care.select_related("institution").order_by("since")
    consents = patient.consents.select_related("institution").order_by("-signed_on")
    if not record_wide_for(actor, patient.pk):
        own = actor.institution_id or 0  # no institution: nothing of its own
        identifiers = identifiers.filter(Q(assigner__isnull=True) | Q(assigner_id=own))
        care = care.filter(institution_id=own)
        consents = consents.filter(institution_id=own)
    return PatientRecord(identifiers=list(identifiers), care=list(care), consents=list(consents))


@dataclass(frozen=True)
class PatientContact:
    """How the actor's institution knows and reaches the patient."""

    resident_id: str | None
    phone: str
    address: str
    address_region: Region | None
    # The index record's details (ethnicity, who registered it) are shown as well.
    full: bool = False


def patient_contact_for(*, actor: Actor, patient: Patient) -> PatientContact:
    """The index record's contact details belong to the institution that recorded them and
    to those working with it on the patient; an institution that joined the record by
    registering the same resident sees what its own registrar typed."""
    claim = (
        PatientIdentifier.objects.filter(
            patient=patient, system=IdentifierSystem.RESIDENT_ID, assigner_id=actor.institution_id
        )
        .values_list("value", flat=True)
        .first()
    )
    resident_id = patient.resident_id or claim
    if patient.registered_by_id == actor.institution_id or record_wide_for(actor, patient.pk):
        return PatientContact(
            resident_id, patient.phone, patient.address, patient.address_region, full=True
        )
    care = CareRelationship.objects.filter(
        patient=patient, institution_id=actor.institution_id or 0
    ).first()
    return PatientContact(
        resident_id, care.phone if care else "", care.address if care else "", None
    )


def _query_kind(q: str) -> tuple[str, str]:
    """What a single search box holds: a resident ID, a phone number, another identifier
    (record or insurance number), or else a name."""
    compact = resident_id_normalise(q)
    if _RESIDENT_ID_SHAPE.fullmatch(compact):
        return "resident_id", compact
    if any(ch.isdigit() for ch in compact):
        try:
            return "phone", phone_normalise(q)
        except FieldInvalid:
            pass
        if _IDENTIFIER_SHAPE.fullmatch(compact):
            return "identifier", compact
    return "name", q.strip()


def _resident_id_is(value: str, actor: Actor) -> Q:
    """The index's resident ID, or the one this institution registered a record of its own
    under (a resident ID the index holds for another identity)."""
    claimed = PatientIdentifier.objects.filter(
        patient_id=OuterRef("pk"),
        system=IdentifierSystem.RESIDENT_ID,
        value=value,
        assigner_id=actor.institution_id,
    )
    return Q(resident_id=value) | Q(Exists(claimed))


def _name_prefix(prefix: str) -> Q:
    """Names beginning with `prefix`. The LIKE says what matches; the range beside it lets
    the database walk the name index in order and stop at the limit, where LIKE alone (under
    a non-"C" collation) would be a filter over every name before it."""
    condition = Q(name__startswith=prefix) & Q(name__gte=prefix)
    last = ord(prefix[-1])
    if last < 0x10FFFF:
        condition &= Q(name__lt=prefix[:-1] + chr(last + 1))
    return condition


def _birth_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed.single("birth_date", _("Enter a valid date (YYYY-MM-DD).")) from None


def patient_search(
    *,
    actor: Actor,
    q: str | None = None,
    resident_id: str | None = None,
    name: str | None = None,
    birth_date: dt.date | str | None = None,
    phone: str | None = None,
    limit: int = 20,
) -> list[Patient]:
    """Visible patients matching every criterion given: exact resident ID, exact phone, a
    name (prefix) optionally with the birth date; `q` guesses which one it holds. Nothing
    is searched, nor audited, without a criterion."""
    born = _birth_date(birth_date)
    conditions = Q()
    criteria: dict[str, Any] = {}
    if q and q.strip():
        kind, value = _query_kind(q)
        criteria["q_kind"] = kind
        criteria["q"] = resident_id_mask(value) if kind == "resident_id" else value
        if kind == "resident_id":
            conditions &= _resident_id_is(value, actor)
        elif kind == "phone":
            conditions &= Q(phone=value)
        elif kind == "identifier":
            held = PatientIdentifier.objects.filter(
                patient_id=OuterRef("pk"),
                value=value,
                system__in=[IdentifierSystem.MRN, IdentifierSystem.INSURANCE],
            )
            conditions &= Q(Exists(held))
        else:
            conditions &= _name_prefix(value)
    if resident_id and resident_id.strip():
        value = resident_id_normalise(resident_id)
        criteria["resident_id"] = resident_id_mask(value)
        conditions &= _resident_id_is(value, actor)
    if name and name.strip():
        criteria["name"] = name.strip()
        conditions &= _name_prefix(name.strip())
    if phone and phone.strip():
        try:
            value = phone_normalise(phone)
        except FieldInvalid:
            value = phone.strip()  # an impossible number simply matches nobody
        criteria["phone"] = value
        conditions &= Q(phone=value)
    if born is not None:
        criteria["birth_date"] = born.isoformat()
        conditions &= Q(birth_date=born)
    if not criteria:
        return []

    if not can_view_patients(actor):
        audit_record(
            actor=actor,
            action="patient.search",
            resource_type="Patient",
            outcome=AuditOutcome.MINOR_FAILURE,
            detail={"criteria": criteria, "reason": "not permitted"},
        )
        return []
    limit = max(1, min(int(limit), MAX_RESULTS))
    found = list(
        Patient.objects.filter(visible_patients_q(actor))
        .filter(conditions)
        .order_by("name", "birth_date", "id")[:limit]
    )
    audit_record(
        actor=actor,
        action="patient.search",
        resource_type="Patient",
        detail={"criteria": criteria, "count": len(found)},
    )
    return found


def patients_recent_for(*, actor: Actor, limit: int = 10) -> list[Patient]:
    """The patients most recently put in the care of the actor's institution."""
    institution_id = actor.institution_id
    if institution_id is None or not can_view_patients(actor):
        return []
    limit = max(1, min(int(limit), MAX_RESULTS))
    care = (
        CareRelationship.objects.filter(institution_id=institution_id)
        .select_related("patient")
        .order_by("-since", "-id")[:limit]
    )
    patients = [c.patient for c in care]
    if patients:
        audit_record(
            actor=actor,
            action="patient.search",
            resource_type="Patient",
            detail={"criteria": {"recent": True}, "count": len(patients)},
        )
    return patients


def patient_internal_id(patient_uuid: uuid.UUID) -> int | None:
    """The integer id the audit log keeps for a patient, found from their external UUID.
    Used by auditors (who are entitled to the log, not to the patient's record)."""
    return Patient.objects.filter(uuid=patient_uuid).values_list("pk", flat=True).first()


def break_glass_counts(*, actor: Actor, days: int = 30) -> list[dict[str, object]]:
    """For supervisors: emergency accesses in their region over the last `days`, per
    institution that used them. Counts only, no patient rows."""
    if not actor.has_role("supervisor") or not actor.region_path:
        return []
    since = timezone.now() - dt.timedelta(days=days)
    rows = (
        BreakGlass.objects.filter(
            started_at__gte=since, institution__region__path__startswith=actor.region_path
        )
        .values("institution__name")
        .annotate(count=Count("id"))
        .order_by("-count", "institution__name")
    )
    return [{"institution": r["institution__name"], "count": r["count"]} for r in rows]


def patient_in_care_of(*, institution_id: int | None, patient_uuid: uuid.UUID) -> Patient | None:
    """The patient with this ID if the institution cares for them, else None (the same for
    a missing patient and another institution's, so nobody learns who is a patient where)."""
    return Patient.objects.filter(
        uuid=patient_uuid, care__institution_id=institution_id or 0
    ).first()


def patient_known_to_institution_as(
    *, institution_id: int, mrn: str, resident_id: str
) -> Patient | None:
    """The patient the institution cares for and knows by this medical record number (one
    it assigned) or else by this resident ID: how an arriving study that names a patient only
    by a number finds them. Nobody is found through another institution's care."""
    cared = Patient.objects.filter(care__institution_id=institution_id)
    if mrn:
        found = cared.filter(
            identifiers__system=IdentifierSystem.MRN,
            identifiers__assigner_id=institution_id,
            identifiers__value=mrn,
        ).first()
        if found is not None:
            return found
    return cared.filter(resident_id=resident_id).first() if resident_id else None


def patient_numbers(patient_id: int) -> list[tuple[int, str]]:
    """(institution, number) pairs by which institutions know the patient: each medical
    record number with the institution that assigned it, and the resident ID with every
    institution that cares for the patient. What arrived under one of them may be theirs."""
    pairs = [
        (assigner, value)
        for assigner, value in PatientIdentifier.objects.filter(
            patient_id=patient_id, system=IdentifierSystem.MRN, assigner__isnull=False
        ).values_list("assigner_id", "value")
    ]
    resident_id = (
        Patient.objects.filter(pk=patient_id).values_list("resident_id", flat=True).first()
    )
    if resident_id:
        caring = CareRelationship.objects.filter(patient_id=patient_id).values_list(
            "institution_id", flat=True
        )
        pairs += [(institution, resident_id) for institution in caring]
    return pairs
