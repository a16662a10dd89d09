"""The records pages: a patient's documents with the upload form, the viewer, and the file
itself. Each view parses, calls a selector or service, and renders."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, DomainError, NotPermitted, ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, fetch_intent, safe_next
from xietong.patients.selectors import get_patient_for

from .forms import DocumentInErrorForm, DocumentReplaceForm, DocumentUploadForm
from .panels import documents_panel_context
from .selectors import documents_for_patient, get_document_for
from .services import (
    FileTooLarge,
    can_change_document,
    document_mark_in_error,
    document_replace,
    documents_upload_each,
)


@actor_view
@require_http_methods(["GET", "POST"])
def patient_documents(request: ActorRequest, actor: Actor, patient_uuid: uuid.UUID) -> HttpResponse:
    patient = get_patient_for(actor=actor, patient_uuid=patient_uuid, intent=fetch_intent(request))
    here = request.path
    form = None
    if request.method == "POST":
        form = DocumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = documents_upload_each(
                    actor=actor, patient=patient, kind=data["kind"], items=form.items(),
                    source=data["source"],
                )  # fmt: skip
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            except Conflict as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(
                    request,
                    ngettext("%(n)d document filed.", "%(n)d documents filed.", len(created))
                    % {"n": len(created)},
                )
                return redirect(safe_next(request, here))
    show_all = request.GET.get("all") == "1"
    context = documents_panel_context(
        actor=actor, patient=patient, next_url=safe_next(request, ""), form=form
    )
    if show_all:
        context["documents"] = list(
            documents_for_patient(actor=actor, patient=patient, include_inactive=True)
        )
    context["show_all"] = show_all
    status = 422 if form is not None and form.has_errors else 200
    return render(request, "records/patient_documents.html", context, status=status)


def _viewer(request: ActorRequest, actor: Actor, document: Any, **forms: Any) -> HttpResponse:
    history = []
    older = document.supersedes
    while older is not None:  # the versions it replaced, newest first
        history.append(older)
        older = older.supersedes
    newer = getattr(document, "superseded_by", None) if document.status == "superseded" else None
    can_change = can_change_document(actor, document)
    context = {
        "document": document,
        "patient": document.patient,
        "history": history,
        "newer": newer,
        "can_change": can_change and document.status == "current",
        "can_mark_in_error": can_change and document.status != "entered-in-error",
        "replace_form": forms.get("replace_form")
        or DocumentReplaceForm(initial={"title": document.title}),
        "error_form": forms.get("error_form") or DocumentInErrorForm(),
    }
    status = 422 if any(f.errors for f in forms.values() if f is not None) else 200
    return render(request, "records/document.html", context, status=status)


@actor_view
def document_detail(request: ActorRequest, actor: Actor, document_uuid: uuid.UUID) -> HttpResponse:
    document = get_document_for(
        actor=actor, document_uuid=document_uuid, intent=fetch_intent(request)
    )
    return _viewer(request, actor, document)


@actor_view
@xframe_options_sameorigin  # the viewer page shows it in a frame of its own origin
def document_file(
    request: ActorRequest, actor: Actor, document_uuid: uuid.UUID
) -> HttpResponseBase:
    document = get_document_for(
        actor=actor, document_uuid=document_uuid, intent=fetch_intent(request)
    )
    download = request.GET.get("download") == "1"
    extension = document.file.name.rsplit(".", 1)[-1] if "." in document.file.name else "bin"
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=download,
        filename=f"{document.kind}-{document.uuid}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A patient's document stays out of shared caches and the browser's back-forward cache.
    response["Cache-Control"] = "private, no-store"
    return response


@actor_view
@require_POST
def document_replace_view(
    request: ActorRequest, actor: Actor, document_uuid: uuid.UUID
) -> HttpResponse:
    document = get_document_for(
        actor=actor, document_uuid=document_uuid, intent=fetch_intent(request)
    )
    form = DocumentReplaceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            new = document_replace(
                actor=actor, document=document, file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )  # fmt: skip
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        except (FileTooLarge, Conflict) as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The corrected version replaces the document."))
            return redirect("records:document", document_uuid=new.uuid)
    return _viewer(request, actor, document, replace_form=form)


@actor_view
@require_POST
def document_in_error_view(
    request: ActorRequest, actor: Actor, document_uuid: uuid.UUID
) -> HttpResponse:
    document = get_document_for(
        actor=actor, document_uuid=document_uuid, intent=fetch_intent(request)
    )
    form = DocumentInErrorForm(request.POST)
    if form.is_valid():
        try:
            document_mark_in_error(
                actor=actor, document=document, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            if isinstance(exc, NotPermitted):
                raise
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The document is marked as entered in error."))
            return redirect("records:document", document_uuid=document.uuid)
    return _viewer(request, actor, document, error_form=form)
