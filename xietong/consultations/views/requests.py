"""The requester's pages: a new request from a patient's page, editing the draft (or the
request returned by QC), its attached records, and submitting or resubmitting it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, fetch_intent, posted, told
from xietong.imaging.selectors import studies_of_patient_for
from xietong.imaging.upload import study_upload_for
from xietong.patients.selectors import get_patient_for
from xietong.records.choices import DocumentKind
from xietong.records.selectors import (
    documents_for_patient,
    documents_for_source,
)
from xietong.records.services import FileTooLarge

from .. import services as svc
from ..access import REQUESTER_ROLES
from ..forms import AttachForm, RequestForm, request_initial
from ..models import Consultation, Kind, Mode, PreferredTarget, Status, Urgency
from ..selectors import consultation_timeline, get_consultation_for
from ..services.attachments import ATTACH_FIELDS
from ..study_selectors import studies_chosen
from ..workflow import Action
from ._common import detail_url, require_role

if TYPE_CHECKING:
    from xietong.records.models import ClinicalDocument

EDITABLE = (Status.DRAFT, Status.RETURNED)
# A new form starts where a new consultation does (the model's defaults).
NEW_REQUEST = {
    "kind": Kind.GENERAL,
    "mode": Mode.ASYNC,
    "urgency": Urgency.ROUTINE,
    "preferred_target": PreferredTarget.CENTRE,
}


def _attached(actor: Actor, c: Consultation) -> list[ClinicalDocument]:
    return list(documents_for_source(actor=actor, source=c.source).filter(patient=c.patient))


def _on_file(actor: Actor, c: Consultation, attached: list[ClinicalDocument]) -> list[Any]:
    """The patient's other documents, which may be attached as they are."""
    have = {d.sha256 for d in attached}
    return [
        d
        for d in documents_for_patient(actor=actor, patient=c.patient)
        if d.source != c.source and d.sha256 not in have
    ]


def _attach_values(form: AttachForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "files": data.get("upload") or [],
        "files_kind": data.get("files_kind") or DocumentKind.DOCUMENT,
        "files_title": data.get("files_title") or _("Consultation records"),
        "existing": data.get("existing") or [],
    }


def _attach_refused(form: AttachForm, exc: ValidationFailed | FileTooLarge) -> None:
    """The attachments' refusal, on the attach form's fields."""
    if isinstance(exc, FileTooLarge):
        form.add_error("upload", str(exc.message))
        return
    for name, errors in exc.fields.items():
        for error in errors:
            form.add_error(name if name in ATTACH_FIELDS.values() else None, str(error))


def _is_attach_refusal(exc: ValidationFailed) -> bool:
    return bool(set(exc.fields) & set(ATTACH_FIELDS.values()))


def _qc_comment(c: Consultation) -> str:
    returned = consultation_timeline(consultation=c).filter(action=Action.QC_RETURN).last()
    return returned.reason if returned else ""


def _page(
    request: ActorRequest,
    actor: Actor,
    *,
    patient: Any,
    consultation: Consultation | None,
    form: RequestForm,
    attach: AttachForm,
    status: int = 200,
) -> HttpResponse:
    attached = _attached(actor, consultation) if consultation else []
    context = {
        "patient": patient,
        "consultation": consultation,
        "form": form,
        "attach": attach,
        "attached": attached,
        "qc_comment": _qc_comment(consultation) if consultation else "",
        "is_returned": consultation is not None and consultation.status == Status.RETURNED,
        # Studies uploaded here are ticked for this request when they arrive for the patient.
        "study_upload": study_upload_for(actor, patient=patient, choose=True),
    }
    return render(request, "consultations/request_form.html", context, status=status)


def _attach_form(
    request: ActorRequest, actor: Actor, patient: Any, c: Consultation | None
) -> AttachForm:
    if c is not None:
        documents = _on_file(actor, c, _attached(actor, c))
    else:
        documents = list(documents_for_patient(actor=actor, patient=patient))
    studies = studies_of_patient_for(actor=actor, patient=patient)
    if request.method == "POST":
        return AttachForm(request.POST, request.FILES, documents=documents, studies=studies)
    chosen = [str(u) for u in studies_chosen(consultation=c)] if c is not None else []
    return AttachForm(documents=documents, studies=studies, initial={"studies": chosen})


def _submit(request: ActorRequest, actor: Actor, c: Consultation) -> Consultation:
    if c.status == Status.RETURNED:
        c = svc.consultation_resubmit(actor=actor, consultation=c)
        messages.success(request, _("Request resubmitted to the centre's quality check."))
    else:
        c = svc.consultation_submit(actor=actor, consultation=c)
        messages.success(request, _("Request submitted to the centre's quality check."))
    return c


def _after_submit(c: Consultation) -> HttpResponse:
    return redirect("consultations:mine")


@actor_view
@require_http_methods(["GET", "POST"])
def create(request: ActorRequest, actor: Actor) -> HttpResponse:
    require_role(actor, *REQUESTER_ROLES)
    patient = get_patient_for(
        actor=actor, patient_uuid=request.GET.get("patient", ""), intent=fetch_intent(request)
    )
    form = RequestForm(posted(request), initial=NEW_REQUEST)
    attach = _attach_form(request, actor, patient, None)
    if request.method != "POST":
        return _page(request, actor, patient=patient, consultation=None, form=form, attach=attach)
    if form.is_valid() and attach.is_valid():
        try:
            c = svc.consultation_create_with_attachments(
                actor=actor,
                patient=patient,
                studies=attach.cleaned_data.get("studies") or [],
                **_attach_values(attach),
                **form.values(),
            )
        except FileTooLarge as exc:
            _attach_refused(attach, exc)
        except ValidationFailed as exc:
            if _is_attach_refusal(exc):
                _attach_refused(attach, exc)
            else:
                form.add_service_errors(exc)
        else:
            return _saved(request, actor, c, form)
    return _page(
        request, actor, patient=patient, consultation=None, form=form, attach=attach, status=422
    )


# The edit page checked as for submitting: every missing part shown on its field.
CHECK = "check"


def _saved(request: ActorRequest, actor: Actor, c: Consultation, form: RequestForm) -> HttpResponse:
    """After the draft is saved: submit when asked. A refused submission lands on the
    draft's edit page (a new request's too), which lists every missing part."""
    if request.POST.get("action") != "submit":
        messages.success(request, _("Draft saved."))
        return redirect("consultations:edit", consultation_uuid=c.uuid)
    try:
        c = _submit(request, actor, c)
    except ValidationFailed as exc:
        messages.warning(request, _("Draft saved, but it cannot be submitted yet."))
        messages.error(request, str(exc.message))
        return redirect(reverse("consultations:edit", args=[c.uuid]) + f"?{CHECK}=1")
    except Conflict as exc:
        return told(request, exc, "consultations:mine")
    return _after_submit(c)


def _checked(c: Consultation) -> RequestForm:
    """The saved draft's form with what submitting it still lacks on its fields."""
    initial = request_initial(c)
    form = RequestForm(initial)
    form.is_valid()
    missing = svc.missing_parts(c)
    if missing:
        form.add_service_errors(ValidationFailed(missing))
    return form


@actor_view
@require_http_methods(["GET", "POST"])
def edit(request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID) -> HttpResponse:
    require_role(actor, *REQUESTER_ROLES)
    c = get_consultation_for(
        actor=actor, consultation_uuid=consultation_uuid, intent=fetch_intent(request)
    )
    if c.status not in EDITABLE:
        messages.error(
            request,
            _("This request can no longer be changed: it is %(state)s.")
            % {"state": Status(c.status).label},
        )
        return redirect(detail_url(c) or "consultations:mine")
    if c.requesting_institution_id != actor.institution_id:
        raise PermissionDenied
    if request.method != "POST" and request.GET.get(CHECK):
        form = _checked(c)
    else:
        form = RequestForm(posted(request), initial=request_initial(c))
    attach = _attach_form(request, actor, c.patient, c)
    if request.method != "POST":
        return _page(request, actor, patient=c.patient, consultation=c, form=form, attach=attach)
    if form.is_valid() and attach.is_valid():
        try:
            with transaction.atomic():
                c = svc.consultation_update(actor=actor, consultation=c, **form.values())
                svc.consultation_attach(actor=actor, consultation=c, **_attach_values(attach))
                svc.consultation_studies_set(
                    actor=actor, consultation=c, studies=attach.cleaned_data.get("studies") or []
                )
        except FileTooLarge as exc:
            _attach_refused(attach, exc)
        except ValidationFailed as exc:
            if _is_attach_refusal(exc):
                _attach_refused(attach, exc)
            else:
                form.add_service_errors(exc)
        except Conflict as exc:
            return told(request, exc, "consultations:mine")
        else:
            return _saved(request, actor, c, form)
    return _page(
        request, actor, patient=c.patient, consultation=c, form=form, attach=attach, status=422
    )
