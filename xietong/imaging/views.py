"""The reconciliation pages: the studies of the institution that arrived without a patient
it knows, and for each the patients to link it to (or the way to register the patient)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xietong.core.actor import Actor
from xietong.core.errors import NotFound, ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view
from xietong.core.reads import CHANGE, SHOW
from xietong.patients.selectors import get_patient_for, patient_search

from .access import can_reconcile
from .sections import study_rows
from .selectors import get_study_for, get_unmatched_study_for, unmatched_studies_for
from .services import study_link, study_unlink
from .services.matching import Unmatched


def _reason(code: str) -> str:
    try:
        return Unmatched(code).label
    except ValueError:
        return ""


@require_GET
@actor_view(allowed=can_reconcile)
def reconcile_list(request: ActorRequest, actor: Actor) -> HttpResponse:
    studies = unmatched_studies_for(actor=actor)
    rows = [(s, _reason(s.unmatched_reason)) for s in studies]
    return render(request, "imaging/reconcile_list.html", {"rows": rows})


@require_GET
@actor_view(allowed=can_reconcile)
def reconcile_study(request: ActorRequest, actor: Actor, study_uuid: uuid.UUID) -> HttpResponse:
    study = get_unmatched_study_for(actor=actor, study_uuid=study_uuid)
    q = request.GET.get("q", "").strip()
    candidates = patient_search(actor=actor, q=q) if q else []
    return render(request, "imaging/reconcile_study.html", {
        "study": study, "reason": _reason(study.unmatched_reason), "q": q,
        "candidates": candidates,
    })  # fmt: skip


@require_POST
@actor_view(allowed=can_reconcile, back="imaging:reconcile")
def reconcile_link(request: ActorRequest, actor: Actor, study_uuid: uuid.UUID) -> HttpResponse:
    study = get_unmatched_study_for(actor=actor, study_uuid=study_uuid, intent=CHANGE)
    patient = get_patient_for(actor=actor, patient_uuid=request.POST.get("patient", ""),
                              intent=CHANGE)  # fmt: skip
    study_link(actor=actor, study=study, patient=patient)
    messages.success(request, _("The study is linked to %(name)s.") % {"name": patient.name})
    return redirect("imaging:reconcile")


@require_http_methods(["GET", "POST"])
@actor_view(allowed=can_reconcile)
def study_unlink_page(request: ActorRequest, actor: Actor, study_uid: str) -> HttpResponse:
    """A study linked to the wrong patient: the study (as its patient's page shows it) and
    the reason; on POST it goes back to the reconciliation list."""
    post = request.method == "POST"
    study = get_study_for(actor=actor, study_uid=study_uid, intent=CHANGE if post else SHOW)
    if study.institution_id != actor.institution_id:
        raise NotFound()
    reason = request.POST.get("reason", "")
    error = ""
    if post:
        try:
            study_unlink(actor=actor, study=study, reason=reason)
        except ValidationFailed as exc:
            error = " ".join(str(e) for es in exc.fields.values() for e in es)
        else:
            messages.success(
                request, _("The study is off that patient's record and waits to be linked.")
            )
            return redirect("imaging:reconcile")
    row = study_rows([study])[0]
    return render(request, "imaging/study_unlink.html",
                  {"row": row, "reason": reason, "error": error},
                  status=422 if error else 200)  # fmt: skip
