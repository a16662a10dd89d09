"""The patients pages: search, register, the patient's page, consents. Each view parses,
calls a selector or service, and renders; the rules are in services and selectors."""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, back_to, fetch_intent
from xietong.core.times import local_time

from .access import (
    break_glass_live_for,
    can_register_patients,
    can_view_patients,
    institution_cares_for,
    whole_record_open_to,
)
from .forms import ConsentForm, IdentifierAddForm, PatientRegisterForm, PatientSearchForm
from .models import IdentifierSystem
from .sections import patient_sections_render
from .selectors import (
    get_consent_for,
    get_patient_for,
    patient_contact_for,
    patient_record_for,
    patient_search,
    patients_recent_for,
)
from .services import (
    KNOWN_ELSEWHERE,
    consent_record,
    consent_withdraw,
    patient_identifier_add,
    patient_registration_make,
)
from .services.break_glass import BREAK_GLASS_ROLES, patient_break_glass


@actor_view
def search(request: ActorRequest, actor: Actor) -> HttpResponse:
    form = PatientSearchForm(request.GET or None)
    results = None
    if form.is_valid() and (form.cleaned_data["q"] or form.cleaned_data["birth_date"]):
        # Run (and audited) even for a role that sees no patients: the attempt is on record.
        results = patient_search(
            actor=actor, q=form.cleaned_data["q"], birth_date=form.cleaned_data["birth_date"]
        )
    if not can_view_patients(actor):
        raise PermissionDenied
    context: dict[str, Any] = {"form": form, "results": results}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "patients/_results.html", context)
    context["recent"] = patients_recent_for(actor=actor, limit=10)
    context["can_register"] = can_register_patients(actor)
    return render(request, "patients/search.html", context)


@actor_view
@require_http_methods(["GET", "POST"])
def register(request: ActorRequest, actor: Actor) -> HttpResponse:
    if not can_register_patients(actor):
        raise PermissionDenied
    form = PatientRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = patient_registration_make(actor=actor, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            if done.created:
                messages.success(request, _("Patient registered."))
            elif done.known_elsewhere:
                messages.info(request, KNOWN_ELSEWHERE)
            else:
                messages.info(
                    request, _("Already registered; added to your institution's patients.")
                )
            return redirect("patients:detail", patient_uuid=done.patient.uuid)
    return render(request, "patients/register.html", {"form": form})


def _break_glass_state(actor: Actor, patient: Any) -> dict[str, Any] | None:
    """The emergency-access form for a clinician of an institution caring for the patient
    who does not already read the whole record; or the access open now."""
    if not actor.has_role(*BREAK_GLASS_ROLES) or not institution_cares_for(actor, patient.pk):
        return None
    live = break_glass_live_for(actor, patient.pk)
    if live is not None:
        return {"live": live}
    if whole_record_open_to(actor, patient.pk):
        return None
    return {"live": None}


def _detail_context(actor: Actor, patient: Any, **forms: Any) -> dict[str, Any]:
    record = patient_record_for(patient, actor=actor)
    return {
        "patient": patient,
        "contact": patient_contact_for(actor=actor, patient=patient),
        "record": record,
        # The resident ID is shown with the demographics; the list holds the other numbers.
        "identifiers": [i for i in record.identifiers if i.system != IdentifierSystem.RESIDENT_ID],
        "can_edit": can_register_patients(actor),
        "break_glass": _break_glass_state(actor, patient),
        "consent_form": forms.get("consent_form")
        or ConsentForm(initial={"signed_on": timezone.localdate(), "relationship": "self"}),
        "identifier_form": forms.get("identifier_form") or IdentifierAddForm(),
    }


@actor_view
def detail(request: ActorRequest, actor: Actor, patient_uuid: uuid.UUID) -> HttpResponse:
    patient = get_patient_for(actor=actor, patient_uuid=patient_uuid, intent=fetch_intent(request))
    context = _detail_context(actor, patient)
    context["sections"] = patient_sections_render(request, actor, patient)
    return render(request, "patients/detail.html", context)


@actor_view
@require_http_methods(["GET", "POST"])
def consent_add(request: ActorRequest, actor: Actor, patient_uuid: uuid.UUID) -> HttpResponse:
    patient = get_patient_for(actor=actor, patient_uuid=patient_uuid, intent=fetch_intent(request))
    if request.method == "POST":
        form = ConsentForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                consent_record(actor=actor, patient=patient, **data)
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Consent recorded."))
                return redirect("patients:detail", patient_uuid=patient.uuid)
    else:
        form = ConsentForm(initial={"signed_on": timezone.localdate(), "relationship": "self"})
    return render(request, "patients/consent_add.html", {"patient": patient, "form": form})


@actor_view
@require_http_methods(["GET", "POST"])
def identifier_add(request: ActorRequest, actor: Actor, patient_uuid: uuid.UUID) -> HttpResponse:
    patient = get_patient_for(actor=actor, patient_uuid=patient_uuid, intent=fetch_intent(request))
    form = IdentifierAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient_identifier_add(actor=actor, patient=patient, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Identifier added."))
            return redirect("patients:detail", patient_uuid=patient.uuid)
    return render(request, "patients/identifier_add.html", {"patient": patient, "form": form})


@actor_view
def consent_scan(
    request: ActorRequest, actor: Actor, patient_uuid: uuid.UUID, consent_uuid: uuid.UUID
) -> HttpResponseBase:
    consent = get_consent_for(
        actor=actor,
        patient_uuid=patient_uuid,
        consent_uuid=consent_uuid,
        intent=fetch_intent(request),
    )
    extension = os.path.splitext(consent.scan.name or "")[1]
    response = FileResponse(
        consent.scan.open("rb"),
        content_type=consent.scan_content_type or "application/octet-stream",
        filename=f"consent-{consent.kind}-{consent.signed_on.isoformat()}{extension}",
    )
    # A patient's document stays out of shared caches and the browser's back-forward cache.
    response["Cache-Control"] = "private, no-store"
    return response


@actor_view(back=back_to("patients:detail", "patient_uuid"))
@require_POST
def consent_withdraw_view(
    request: ActorRequest, actor: Actor, patient_uuid: uuid.UUID, consent_uuid: uuid.UUID
) -> HttpResponse:
    consent = get_consent_for(
        actor=actor,
        patient_uuid=patient_uuid,
        consent_uuid=consent_uuid,
        intent=fetch_intent(request),
    )
    consent_withdraw(actor=actor, consent=consent, reason=request.POST.get("reason", ""))
    messages.success(request, _("Consent withdrawn."))
    return redirect("patients:detail", patient_uuid=patient_uuid)


@actor_view(back=back_to("patients:detail", "patient_uuid"))
@require_POST
def break_glass(request: ActorRequest, actor: Actor, patient_uuid: uuid.UUID) -> HttpResponse:
    patient = get_patient_for(actor=actor, patient_uuid=patient_uuid, intent=fetch_intent(request))
    opened = patient_break_glass(
        actor=actor, patient=patient, reason=request.POST.get("reason", "")
    )
    until = local_time(opened.ends_at)
    messages.warning(
        request,
        _("Emergency access is open until %(until)s. The institutions concerned are told.")
        % {"until": until},
    )
    return redirect("patients:detail", patient_uuid=patient.uuid)
