"""The up-referral form: institutions offered from the collaboration links (higher levels
first), the free slots as a week calendar that follows the chosen institution, kind,
examination and department (views/slot_calendar.py), the records to share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.errors import NotFound, NotPermitted, ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, fetch_intent
from xietong.core.reads import CHANGE
from xietong.patients.selectors import get_patient_for
from xietong.records.selectors import documents_for_patient
from xietong.scheduling.selectors import get_slot
from xietong.scheduling.services import SlotTaken

from ..access import can_refer
from ..forms import ReferralForm
from ..from_consultation import referral_start_from_consultation
from ..models import Referral
from ..selectors import get_referral_for, referral_targets_for
from ..services import referral_create
from .slot_calendar import (
    NO_DEPARTMENT,
    PROPOSAL_CONTEXT,
    REFRESH,
    calendar_from,
    picker_context,
    posted_values,
)

if TYPE_CHECKING:
    from xietong.scheduling.models import Slot


@actor_view
def slot_picker(request: ActorRequest, actor: Actor) -> HttpResponse:
    """The calendar fragment, when the form's institution, kind, examination, department or
    week changes (htmx). Free capacity is no patient data: any signed-in person may ask."""
    get = request.GET
    picker = "proposal" if get.get("picker") == "proposal" else "form"
    hidden = {k: get.get(k, "") for k in PROPOSAL_CONTEXT} if picker == "proposal" else None
    return render(
        request, "referrals/_slots.html", picker_context(calendar_from(get), picker, hidden)
    )


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
    start = (
        referral_start_from_consultation(
            actor=actor,
            consultation_uuid=consultation,
            patient=patient,
            targets=targets,
            intent=fetch_intent(request),
        )
        if consultation
        else None
    )
    if start is not None:
        initial.update(start.initial)
        offered = {key for key, _label in documents}
        documents += [pair for pair in start.documents if pair[0] not in offered]
    if previous is not None:
        initial.update(
            diagnosis_code=previous.diagnosis_code,
            diagnosis_text=previous.diagnosis_text,
            clinical_summary=f"{previous.clinical_summary}\n{previous.report_summary}".strip(),
            receiving_institution=previous.receiving_institution_id,
        )
    # Without JavaScript, a week or a department is asked for by sending the form: it comes
    # back with that calendar and what was typed, nothing checked and nothing sent.
    refresh = request.method == "POST" and REFRESH.intersection(request.POST)
    if refresh:
        initial.update(_typed(request.POST))
    bound = request.POST if request.method == "POST" and not refresh else None
    form = ReferralForm(bound, targets=targets, documents=documents, initial=initial)
    asked = posted_values(request.POST) if request.method == "POST" else {}
    if bound is not None and form.is_valid():
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
            # The calendar opens on the next free slot like the one taken.
            asked["slot"] = ""
            if exc.alternatives:
                like = exc.alternatives[0]
                asked["week"] = timezone.localtime(like.start).date().isoformat()
                asked["department"] = str(like.department_id or NO_DEPARTMENT)
        else:
            messages.success(request, _("Referral %(number)s was sent.") % {"number": r.number})
            return redirect("referrals:detail", r.uuid)
    cal = calendar_from(
        asked, receiving_institution=str(initial.get("receiving_institution") or ""),
        kind=str(initial["kind"]),
    )  # fmt: skip
    context = {
        "form": form,
        "patient": patient,
        "previous": previous,
        "advised_elsewhere": start.advised_elsewhere if start else "",
        "criteria_warning": "justification" in form.errors,
        **picker_context(cal),
    }
    return render(request, "referrals/form.html", context)


def _typed(post: QueryDict) -> dict[str, object]:
    """What was typed into the form, to show it again as it was."""
    typed: dict[str, object] = {k: v for k, v in post.items() if k != "csrfmiddlewaretoken"}
    typed["shared_documents"] = post.getlist("shared_documents")
    return typed


def _slot(value: str) -> Slot | None:
    if not value:
        return None
    try:
        return get_slot(slot_uuid=value)
    except NotFound:
        return None
