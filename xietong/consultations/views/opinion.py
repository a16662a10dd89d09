"""The expert's opinion editor: a structured draft saved as often as needed, signed by
re-entering the password or a TOTP code (frozen, hashed), and corrected as a new version
with a reason. For MDT each expert writes their part and the lead writes the summary."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xietong.accounts.reauth import IdentityLocked
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, fetch_intent, told
from xietong.core.reads import CHANGE
from xietong.records.selectors import documents_for_source

from .. import services as svc
from ..access import live_assignment_of
from ..models import (
    AssignmentStatus,
    Consultation,
    ConsultationAssignment,
    Kind,
    Opinion,
    Status,
)
from ..selectors import get_consultation_for
from .opinion_forms import CorrectionForm, OpinionForm, initial_from
from .workspace_base import changed_since_seen, told_refused, workspace_url
from .workspace_context import opinion_threads, pdf_url


def _accepted(actor: Actor, c: Consultation) -> ConsultationAssignment | None:
    mine = live_assignment_of(actor, c)
    return mine if mine is not None and mine.status == AssignmentStatus.ACCEPTED else None


def _wants_summary(request: ActorRequest, c: Consultation, mine: ConsultationAssignment) -> bool:
    asked = (request.POST.get("summary") or request.GET.get("summary")) == "1"
    return c.kind == Kind.MDT and mine.lead and asked


def _editor_url(c: Consultation, summary: bool) -> str:
    url = reverse("consultations:opinion", args=[c.uuid])
    return f"{url}?summary=1" if summary else url


def _page(
    request: ActorRequest,
    c: Consultation,
    mine: ConsultationAssignment,
    summary: bool,
    form: OpinionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    threads = opinion_threads(c, include_drafts=True)
    part = "summary" if summary else "opinion"
    my_thread = next(
        (t for t in threads if t.current.expert_id == mine.expert_id and t.part == part), None
    )
    current = my_thread.current if my_thread else None
    for t in threads:
        for o in t.versions:
            o.pdf_url = pdf_url(o) if o.is_signed else ""  # type: ignore[attr-defined]
    signed = current is not None and current.is_signed
    if form is None:
        form_class = CorrectionForm if signed else OpinionForm
        form = form_class(initial=initial_from(current))
    others = [t for t in threads if t is not my_thread and t.current.is_signed]
    actor = request.actor
    assert actor is not None  # actor_view made sure of it
    context: dict[str, Any] = {
        "c": c,
        # The case and its records beside the editor.
        "consultation": c,
        "attached": list(documents_for_source(actor=actor, source=c.source)),
        "mine": mine,
        "summary": summary,
        "is_mdt": c.kind == Kind.MDT,
        "form": form,
        "current": current,
        "history": my_thread.older if my_thread else [],
        "signed": signed,
        "others": others,
        "writable": c.status == Status.IN_PROGRESS and not signed,
        "correctable": signed and c.status in (Status.OPINION_SIGNED, Status.COMPLETED),
        "workspace": workspace_url(c),
    }
    return render(request, "consultations/opinion_editor.html", context, status=status)


def _expert_or_back(request: ActorRequest, actor: Actor, c: Consultation) -> Any:
    mine = _accepted(actor, c)
    if mine is None:
        messages.error(request, _("Only an expert who accepted may write the opinion."))
    return mine


@actor_view
@require_http_methods(["GET", "POST"])
def editor(request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID) -> HttpResponse:
    c = get_consultation_for(
        actor=actor, consultation_uuid=consultation_uuid, intent=fetch_intent(request)
    )
    mine = _expert_or_back(request, actor, c)
    if mine is None:
        return redirect(workspace_url(c))
    summary = _wants_summary(request, c, mine)
    if request.method == "GET":
        return _page(request, c, mine, summary)
    if changed := changed_since_seen(request, c):
        return changed
    form = OpinionForm(request.POST)
    if not form.is_valid():
        return _page(request, c, mine, summary, form, status=422)
    try:
        svc.consultation_opinion_draft_save(
            actor=actor, consultation=c, summary=summary, **form.content()
        )
    except ValidationFailed as exc:
        form.add_service_errors(exc)
        return _page(request, c, mine, summary, form, status=422)
    except Conflict as exc:
        return told_refused(request, exc, c)
    messages.success(request, _("Draft saved."))
    return redirect(_editor_url(c, summary))


def _locked(
    request: ActorRequest,
    c: Consultation,
    mine: ConsultationAssignment,
    summary: bool,
    form: OpinionForm,
    exc: IdentityLocked,
) -> HttpResponse:
    """The account is locked: the form again, saying so, with nothing signed."""
    form.add_error(None, str(exc.message))
    return _page(request, c, mine, summary, form, status=exc.status)


def _signing(
    request: ActorRequest,
    actor: Actor,
    consultation_uuid: uuid.UUID,
    form_class: type[OpinionForm],
    signed: Callable[..., Opinion],
    said: str,
) -> HttpResponse:
    """Signs what the form holds (`signed`: the service, given the consultation, part and
    form): a wrong password or a missing part leaves the draft as it was, the account lock
    keeps the form. No transaction wraps the call: a wrong password must stay counted toward
    the account lock (accounts/reauth.py)."""
    c = get_consultation_for(actor=actor, consultation_uuid=consultation_uuid, intent=CHANGE)
    mine = _expert_or_back(request, actor, c)
    if mine is None:
        return redirect(workspace_url(c))
    summary = _wants_summary(request, c, mine)
    if changed := changed_since_seen(request, c):
        return changed
    form = form_class(request.POST)
    if not form.is_valid():
        return _page(request, c, mine, summary, form, status=422)
    try:
        opinion = signed(c, summary, form)
    except IdentityLocked as exc:
        return _locked(request, c, mine, summary, form, exc)
    except ValidationFailed as exc:
        form.add_service_errors(exc)
        return _page(request, c, mine, summary, form, status=422)
    except Conflict as exc:
        return told(request, exc, _editor_url(c, summary))
    messages.success(request, said % {"version": opinion.version})
    return redirect(workspace_url(c))


@actor_view
@require_POST
def sign(request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID) -> HttpResponse:
    """Signs the draft as the form holds it, saved in the signing transaction."""

    def signed(c: Consultation, summary: bool, form: OpinionForm) -> Opinion:
        return svc.consultation_opinion_sign(
            actor=actor, consultation=c, summary=summary, **form.secret(), **form.content()
        )

    said = _("Opinion signed (version %(version)d). Its content is now frozen.")
    return _signing(request, actor, consultation_uuid, OpinionForm, signed, said)


@actor_view
@require_POST
def correct(request: ActorRequest, actor: Actor, consultation_uuid: uuid.UUID) -> HttpResponse:
    def signed(c: Consultation, summary: bool, form: OpinionForm) -> Opinion:
        return svc.consultation_opinion_correct(
            actor=actor, consultation=c, summary=summary,
            reason=form.cleaned_data.get("reason") or "", **form.secret(), **form.content(),
        )  # fmt: skip

    said = _("Correction signed as version %(version)d; the earlier version stays readable.")
    return _signing(request, actor, consultation_uuid, CorrectionForm, signed, said)
