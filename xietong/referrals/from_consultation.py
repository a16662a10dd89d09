"""A referral started from a consultation ("refer from this consultation"): the form opens
with what the consultation already says, so the doctor does not type it twice. That is the
diagnosis, the reason, the summary with the expert's opinion, the records shared for it, and
the institution the opinion advised when it is one the doctor's institution refers to. When
the advised institution is not among the partners, the doctor is told so, by its name, and
chooses. An opinion signed before the expert picked institutions names the hospital in words;
those words are matched to the partners' names instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from xietong.consultations.selectors import consultation_opinions, get_consultation_for
from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.reads import Intent
from xietong.directory.models import Institution
from xietong.records.selectors import documents_for_source

if TYPE_CHECKING:
    from xietong.patients.models import Patient


@dataclass
class ConsultationStart:
    initial: dict[str, object] = field(default_factory=dict)
    # Records filed for the consultation, as (uuid, label), shared by default.
    documents: list[tuple[str, str]] = field(default_factory=list)
    # What the opinion advised ("refer to"), when it is none of the partner hospitals.
    advised_elsewhere: str = ""


def _partner(advised: Institution, targets: QuerySet[Institution]) -> Institution | None:
    return next((t for t in targets if t.pk == advised.pk), None)


def _advised_target(advised: str, targets: QuerySet[Institution]) -> Institution | None:
    """The partner an older opinion's words name."""
    wanted = advised.strip()
    if not wanted:
        return None
    for institution in targets:
        names = {institution.name, institution.short_name or ""} - {""}
        if any(name in wanted or wanted in name for name in names):
            return institution
    return None


def referral_start_from_consultation(
    *,
    actor: Actor,
    consultation_uuid: str,
    patient: Patient,
    targets: QuerySet[Institution],
    intent: Intent,
) -> ConsultationStart:
    """The form's starting values from the consultation; nothing when the consultation is
    not the actor's to refer from or is about another patient (the service checks again
    when the referral is sent). `intent`: the form shows the consultation's contents (SHOW,
    an audited read) or a POST feeds them to the write (CHANGE)."""
    try:
        c = get_consultation_for(actor=actor, consultation_uuid=consultation_uuid, intent=intent)
    except NotFound:
        return ConsultationStart()
    if c.patient_id != patient.pk:
        return ConsultationStart()
    signed = [o for o in consultation_opinions(consultation=c) if o.signed_at]
    opinion = max(signed, key=lambda o: (o.signed_at, o.version)) if signed else None
    complaint, illness = _("Chief complaint"), _("Present illness")
    summary = [
        f"{complaint}：{c.chief_complaint}" if c.chief_complaint else "",
        f"{illness}：{c.present_illness}" if c.present_illness else "",
    ]
    reason = c.reason
    advised = ""
    advised_institution: Institution | None = None
    if opinion is not None:
        summary.append(
            _("Consultation %(number)s, opinion of %(expert)s: %(diagnosis)s %(advice)s")
            % {
                "number": c.number,
                "expert": opinion.expert.practitioner.name,
                "diagnosis": opinion.diagnosis,
                "advice": opinion.recommendations,
            }
        )
        if opinion.referral_advised:
            advised = opinion.referral_to
            advised_institution = opinion.referral_to_institution
            reason = _("Referral advised by consultation %(number)s") % {"number": c.number}
            if opinion.referral_target:
                reason += _(" (to %(where)s)") % {"where": opinion.referral_target}
    start = ConsultationStart(
        initial={
            "diagnosis_code": c.diagnosis_code,
            "diagnosis_text": (opinion.diagnosis if opinion else "")[:200] or c.diagnosis_text,
            "reason": reason,
            "clinical_summary": "\n".join(line for line in summary if line).strip(),
        }
    )
    documents = documents_for_source(actor=actor, source=f"consultation:{c.uuid}")
    start.documents = [
        (str(d.uuid), f"{d.title}（{d.get_kind_display()}）") for d in documents[:30]
    ]
    start.initial["shared_documents"] = [key for key, _label in start.documents]
    if advised_institution is not None:
        target = _partner(advised_institution, targets)
        elsewhere = advised_institution.name
    else:
        target = _advised_target(advised, targets)
        elsewhere = advised.strip()
    if target is not None:
        start.initial["receiving_institution"] = target.pk
    elif elsewhere:
        start.advised_elsewhere = elsewhere
    return start
