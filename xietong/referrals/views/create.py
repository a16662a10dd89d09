"""The up-referral form: institutions offered from the collaboration links (higher levels
first), a slot picker that follows the chosen institution and kind, the records to share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.errors import NotFound, NotPermitted, ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, fetch_intent
from xietong.core.reads import CHANGE
from xietong.patients.selectors import get_patient_for
from xietong.records.selectors import documents_for_patient
from xietong.scheduling.selectors import get_slot, slots_free
from xietong.scheduling.services import SlotTaken

from ..access import can_refer
from ..forms import ReferralForm
from ..models import Kind, Referral
from ..selectors import get_referral_for, referral_targets_for
from ..services import referral_create
from ..services._bookings import PURPOSES

if TYPE_CHECKING:
    from xietong.scheduling.models import Slot


def _slots(institution: str, kind: str, exam: str) -> list[Slot]:
    if not institution.isdigit() or kind not in Kind.values:
        return []
    qs = slots_free(
        institution=int(institution), examination_type=exam or None, via_referral=True, limit=None
    ).filter(purpose__in=PURPOSES[Kind(kind)])
    return list(qs[:40])


@actor_view
def slot_picker(request: ActorRequest, actor: Actor) -> HttpResponse:
    get = request.GET
    slots = _slots(
        get.get("receiving_institution", ""), get.get("kind", ""), get.get("examination_type", "")
    )
    return render(request, "referrals/_slots.html", {"slots": slots, "chosen": get.get("slot", "")})


def _previous(actor: Actor, value: str | None) -> Referral | None:
    return get_referral_for(actor=actor, referral_uuid=value, intent=CHANGE) if value else None


@actor_view
def create(request: ActorRequest, actor: Actor) -> HttpResponse:
    if not can_refer(actor):
        # A role that never refers may not start (403); the patient's page offers no button.
        raise NotPermitted(_("Only a doctor of the sending institution may refer a patient."))
    patient = get_patient_for(
        actor=actor, patient_uuid=request.GET.get("patient", ""), intent=fetch_intent(request)
    )
    previous = _previous(actor, request.GET.get("previous"))
    consultation = request.GET.get("consultation") or None
    documents = [
        (str(d.uuid), f"{d.title}（{d.get_kind_display()}）")
        for d in documents_for_patient(actor=actor, patient=patient)[:30]
    ]
    targets = referral_targets_for(actor=actor)
    initial: dict[str, object] = {"urgency": "routine", "kind": "outpatient"}
    if previous is not None:
        initial.update(
            diagnosis_code=previous.diagnosis_code,
            diagnosis_text=previous.diagnosis_text,
            clinical_summary=f"{previous.clinical_summary}\n{previous.report_summary}".strip(),
            receiving_institution=previous.receiving_institution_id,
        )
    form = ReferralForm(request.POST or None, targets=targets, documents=documents, initial=initial)
    slots: list[Slot] = []
    if request.method == "POST":
        slots = _slots(
            request.POST.get("receiving_institution", ""),
            request.POST.get("kind", ""),
            request.POST.get("examination_type", ""),
        )
        if form.is_valid():
            data = form.cleaned_data
            slot = _slot(data.get("slot") or "")
            try:
                r = referral_create(
                    actor=actor, patient=patient, kind=data["kind"], urgency=data["urgency"],
                    receiving_institution=data["receiving_institution"], slot=slot,
                    examination_type=data.get("examination_type") or "",
                    reason=data["reason"], clinical_summary=data["clinical_summary"],
                    diagnosis_code=data["diagnosis_code"], diagnosis_text=data["diagnosis_text"],
                    shared_documents=data.get("shared_documents") or [],
                    justification=data.get("justification") or "", previous=previous,
                    consultation_uuid=consultation,
                )  # fmt: skip
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            except SlotTaken as exc:
                form.add_error("slot", str(exc.message))
                slots = list(exc.alternatives)
            else:
                messages.success(request, _("Referral %(number)s was sent.") % {"number": r.number})
                return redirect("referrals:detail", r.uuid)
    context = {
        "form": form,
        "patient": patient,
        "previous": previous,
        "slots": slots,
        "chosen": request.POST.get("slot", ""),
        "criteria_warning": "justification" in form.errors,
    }
    return render(request, "referrals/form.html", context)


def _slot(value: str) -> Slot | None:
    if not value:
        return None
    try:
        return get_slot(slot_uuid=value)
    except NotFound:
        return None
