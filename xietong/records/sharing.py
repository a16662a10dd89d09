"""Which documents of a patient an actor may read (docs/adr/0013).

A patient's documents belong to the institution that filed them. Another institution reads
them only when
- the patient consented to sharing at that institution, or one of its clinicians broke the
  glass (xietong/patients/access.py, whole_record_open_to), or
- they were shared for a piece of work the actor takes part in: a consultation's attachments
  and opinion, a referral's shared records and report. The workflow apps, which sit above
  records, register a reader that names those documents; a reader stops naming them once
  the work has been over for XT_SHARED_READ_DAYS."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from xietong.core.actor import Actor
from xietong.patients.access import (
    grant_of_work_for,
    grant_sources_for,
    grant_writes_for,
    institution_cares_for,
    patient_visible_to,
    whole_record_open_to,
)
from xietong.patients.models import Patient

# (actor, patient id) → a filter on ClinicalDocument naming what the actor's work shares.
ShareReader = Callable[[Actor, int], Q]
_READERS: list[ShareReader] = []
_NOTHING = Q(pk__in=[])


def share_reader_register(reader: ShareReader) -> None:
    """Called from a workflow app's AppConfig.ready()."""
    if reader not in _READERS:
        _READERS.append(reader)


def documents_readable_q(*, actor: Actor, patient: Patient) -> Q:
    """A filter on ClinicalDocument keeping what the actor may read of this patient."""
    if not patient_visible_to(actor, patient):
        return _NOTHING
    if whole_record_open_to(actor, patient.pk):
        return Q()
    q = _NOTHING
    if institution_cares_for(actor, patient.pk):
        q |= Q(institution_id=actor.institution_id)
    sources = grant_sources_for(actor, patient.pk)
    if sources:
        q |= Q(source__in=sources)
    for reader in _READERS:
        q |= reader(actor, patient.pk)
    return q


def generated_document_writable_by(*, actor: Actor, patient: Patient, source: str) -> bool:
    """A document the platform produced from a piece of work (a signed opinion's PDF) is
    filed by a party to that work while their grant reads: the signature that produced it
    was made while the grant wrote, and the filing, run after commit by a worker, may come
    after the work ended (the requester acknowledged at once, a worker was down)."""
    return institution_cares_for(actor, patient.pk) or grant_of_work_for(actor, patient.pk, source)


def document_writable_by(*, actor: Actor, patient: Patient, source: str) -> bool:
    """Filing to a record needs the institution's care of the patient, or a live grant for
    the work the document belongs to (an expert's opinion); a grant never writes elsewhere."""
    return institution_cares_for(actor, patient.pk) or grant_writes_for(actor, patient.pk, source)
