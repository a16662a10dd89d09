"""A reading request's page and its report's forms: the claimer's editor (from the template
for the study's modality and body part), the senior's signature and return, the
correction, and the versions as everyone who sees the request reads them. A form that fails
shows the page again with what was typed and the errors beside it."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import ServiceForm, actor_view, back_to
from xietong.core.reads import CHANGE

from ..labels import body_part_label
from ..sections import study_rows
from .access import can_read
from .machine import reading_actions, reading_held
from .models import ImagingReport, ReadingRequest, Status
from .pdf import report_pdf
from .reports import report_correct, report_draft_save, report_preliminary, report_sign
from .selectors import (
    get_reading_for,
    reading_timeline,
    report_preview_for,
    reports_shown_to,
    signed_report_for,
)
from .templates_data import template_for
from .workflow import ACTION_LABELS, Action

# Buttons on the page's head: the steps without a form of their own.
HEAD_BUTTONS = (Action.CLAIM, Action.RELEASE, Action.CRITICAL_ACK)


_PASSWORD = forms.PasswordInput(attrs={"autocomplete": "current-password"})


class ReportForm(ServiceForm):
    technique = forms.CharField(
        label=gettext_lazy("Technique"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    findings = forms.CharField(
        label=gettext_lazy("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    impression = forms.CharField(
        label=gettext_lazy("Impression"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    advice = forms.CharField(
        label=gettext_lazy("Advice"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    critical = forms.BooleanField(
        label=gettext_lazy("Critical finding: tell the requester at once"),
        required=False,
    )  # fmt: skip


class SignForm(ServiceForm):
    password = forms.CharField(label=gettext_lazy("Your password"), widget=_PASSWORD)


class CorrectForm(ReportForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the correction"), widget=forms.Textarea(attrs={"rows": 2})
    )
    password = forms.CharField(label=gettext_lazy("Your password"), widget=_PASSWORD)


def _content(report: ImagingReport | None, r: ReadingRequest) -> dict[str, Any]:
    if report is not None:
        return {name: getattr(report, name) for name in ReportForm.base_fields}
    t = template_for(modalities=r.modality_list, body_part=r.body_part)
    return {"technique": t.technique, "findings": t.findings, "impression": t.impression,
            "advice": t.advice, "critical": False}  # fmt: skip


def _page(
    request: ActorRequest, actor: Actor, r: ReadingRequest, *, status: int = 200,
    editor: ReportForm | None = None, correct: CorrectForm | None = None,
    sign: SignForm | None = None,
) -> HttpResponse:  # fmt: skip
    can = set(reading_actions(actor=actor, reading=r))
    shown = reports_shown_to(actor=actor, reading=r)
    # The editor and the correction start from the latest version, else the template.
    current = shown[0] if shown else None
    if editor is None and Action.REPORT_SAVE in can:
        editor = ReportForm(initial=_content(current, r))
    if correct is None and Action.CORRECT in can:
        correct = CorrectForm(initial=_content(current, r))
    if sign is None and Action.SIGN in can:
        sign = SignForm()
    context = {
        "r": r,
        "study_table": study_rows([r.study]),
        "actions": [(a, ACTION_LABELS[a]) for a in HEAD_BUTTONS if a in can],
        "can": can,
        "timeline": [(e, _step_label(e.action)) for e in reading_timeline(reading=r)],
        "reports": shown,
        "editor": editor,
        "correct": correct,
        "sign": sign,
        "body_part": body_part_label(r.body_part) if r.body_part else "",
        # The centre's readers print the version not yet signed before signing it.
        "preview_pdf": current is not None and not current.is_signed
        and r.status in (Status.READING, Status.PRELIMINARY)
        and r.centre_id == actor.institution_id and can_read(actor),
    }  # fmt: skip
    return render(request, "imaging/reading/detail.html", context, status=status)


def _step_label(action: str) -> str:
    if action == "create":
        return _("asked for a reading")
    return str(ACTION_LABELS.get(Action(action), action))


@require_GET
@actor_view
def reading_detail(request: ActorRequest, actor: Actor, reading_uuid: uuid.UUID) -> HttpResponse:
    return _page(request, actor, get_reading_for(actor=actor, reading_uuid=reading_uuid))


@require_POST
@actor_view(back=back_to("imaging:reading", "reading_uuid"))
def report_edit(request: ActorRequest, actor: Actor, reading_uuid: uuid.UUID) -> HttpResponse:
    """The claimer's editor: save the draft, or submit it as the preliminary report."""
    form = ReportForm(request.POST)
    submit = request.POST.get("submit") == "preliminary"
    if form.is_valid():
        try:
            with reading_held(actor=actor, reading_uuid=reading_uuid) as r:
                step = report_preliminary if submit else report_draft_save
                step(actor=actor, reading=r, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The preliminary report is submitted for review.")
                             if submit else _("The draft is saved."))  # fmt: skip
            return redirect("imaging:reading", reading_uuid=reading_uuid)
    r = get_reading_for(actor=actor, reading_uuid=reading_uuid, intent=CHANGE)
    return _page(request, actor, r, status=422, editor=form)


@require_POST
@actor_view(back=back_to("imaging:reading", "reading_uuid"))
def report_sign_page(request: ActorRequest, actor: Actor, reading_uuid: uuid.UUID) -> HttpResponse:
    """The senior signs the final report with their password (the row is not held while
    the password is checked: reports.report_sign takes it after)."""
    r = get_reading_for(actor=actor, reading_uuid=reading_uuid, intent=CHANGE)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            report_sign(actor=actor, reading=r, password=form.cleaned_data["password"])
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The final report is signed."))
            return redirect("imaging:reading", reading_uuid=reading_uuid)
    return _page(request, actor, r, status=422, sign=form)


@require_POST
@actor_view(back=back_to("imaging:reading", "reading_uuid"))
def report_correct_page(
    request: ActorRequest, actor: Actor, reading_uuid: uuid.UUID
) -> HttpResponse:
    """A signed report corrected: a new signed version with its reason."""
    r = get_reading_for(actor=actor, reading_uuid=reading_uuid, intent=CHANGE)
    form = CorrectForm(request.POST)
    if form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("reason", "password")}
        try:
            report_correct(actor=actor, reading=r, reason=form.cleaned_data["reason"],
                           password=form.cleaned_data["password"], **values)  # fmt: skip
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The corrected report is signed."))
            return redirect("imaging:reading", reading_uuid=reading_uuid)
    return _page(request, actor, r, status=422, correct=form)


@require_GET
@actor_view
def report_pdf_download(
    request: ActorRequest, actor: Actor, reading_uuid: uuid.UUID, version: int
) -> HttpResponse:
    """A signed version as PDF, for everyone who sees the request (the download recorded)."""
    report = signed_report_for(actor=actor, reading_uuid=reading_uuid, version=version)
    response = HttpResponse(report_pdf(report=report), content_type="application/pdf")
    name = f"{report.reading.number}-v{report.version}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@actor_view
def report_preview_pdf(
    request: ActorRequest, actor: Actor, reading_uuid: uuid.UUID
) -> HttpResponse:
    """The version not yet signed as it will print, watermarked, for the reading centre only.
    Printed on each request and never kept: the signed PDF is the only report."""
    report = report_preview_for(actor=actor, reading_uuid=reading_uuid)
    response = HttpResponse(report_pdf(report=report, preview=True), content_type="application/pdf")
    name = f"{report.reading.number}-v{report.version}-preview.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
