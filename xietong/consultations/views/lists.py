"""The three lists before the workspace: the requester's own requests, the centre's inbox
(quality check, triage, booking) and the expert's queue. Each with filters and search, and
overdue work flagged."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.listing import page_shown
from xietong.core.pages import actor_view
from xietong.core.sorting import most_urgent_first, sorted_rows, sorting_read

from ..access import CENTRE_ROLES, EXPERT_ROLES, REQUESTER_ROLES
from ..forms import ListFilterForm
from ..models import Consultation, Mode, Status
from ..selectors import AWAITING_ACCEPT, consultations_for
from ._common import detail_url, require_role
from .actions import row_actions

PAGE_SIZE = 25
# The columns a list sorts by (core/sorting.py); by default, newest first.
COLUMNS = {
    "number": ("number",),
    "patient": ("patient__name",),
    "urgency": (most_urgent_first(),),
    "institution": ("requesting_institution__name",),
}  # fmt: skip


def _filtered(actor: Actor, form: ListFilterForm, scope: str) -> QuerySet[Consultation]:
    data = form.cleaned_data if form.is_valid() else {}
    try:
        return consultations_for(
            actor=actor,
            scope=scope,
            status=data.get("status") or None,
            urgency=data.get("urgency") or None,
            q=data.get("q") or None,
            overdue=True if data.get("overdue") else None,
        )
    except ValidationFailed:
        return consultations_for(actor=actor, scope=scope)


def _page(request: ActorRequest, qs: QuerySet[Consultation], scope: str) -> Any:
    actor = request.actor
    assert actor is not None  # actor_view made sure of it
    criteria = {k: v for k, v in request.GET.items() if k != "page" and v}
    sorting = sorting_read(request.GET, columns=COLUMNS)
    return page_shown(
        actor=actor, rows=sorted_rows(qs, sorting, columns=COLUMNS),
        number=request.GET.get("page"), per_page=PAGE_SIZE, resource_type="ServiceRequest",
        criteria={"list": f"consultations.{scope}", **criteria},
    )  # fmt: skip


def _rows(page: Any, actor: Actor) -> list[Consultation]:
    """Each row with its link, the deadline that runs now and the pages for what this actor
    may do now (actions.row_actions)."""
    rows = list(page.object_list)
    for c in rows:
        c.link = detail_url(c)
        c.deadline = c.accept_by if c.status in AWAITING_ACCEPT else c.answer_by
        c.actions = row_actions(actor, c)
    return rows


def _render(
    request: ActorRequest, template: str, form: ListFilterForm, page: Any, rows: Any, **extra: Any
) -> HttpResponse:
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "sorting": sorting_read(request.GET, columns=COLUMNS), **extra,
    }  # fmt: skip
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "consultations/_rows.html", context)
    return render(request, template, context)


@actor_view
def mine(request: ActorRequest, actor: Actor) -> HttpResponse:
    require_role(actor, *REQUESTER_ROLES)
    form = ListFilterForm(request.GET)
    page = _page(request, _filtered(actor, form, "requests"), "mine")
    rows = _rows(page, actor)
    return _render(request, "consultations/mine.html", form, page, rows)


TABS = {
    "qc": gettext_lazy("Quality check"),
    "triage": gettext_lazy("Triage and answers"),
    "schedule": gettext_lazy("To book a time"),
    "all": gettext_lazy("All"),
}


def _tab_queryset(actor: Actor, form: ListFilterForm, tab: str) -> QuerySet[Consultation]:
    if tab in ("qc", "triage"):
        return _filtered(actor, form, tab)
    qs = _filtered(actor, form, "").filter(centre_id=actor.institution_id)
    if tab == "schedule":
        qs = qs.filter(status=Status.ACCEPTED, mode=Mode.REALTIME)
    return qs


@actor_view
def inbox(request: ActorRequest, actor: Actor) -> HttpResponse:
    require_role(actor, *CENTRE_ROLES)
    default = "qc" if actor.has_role("qc") else "triage"
    tab = request.GET.get("tab") or default
    if tab not in TABS:
        tab = default
    form = ListFilterForm(request.GET)
    page = _page(request, _tab_queryset(actor, form, tab), "inbox")
    rows = _rows(page, actor)
    tabs = [(key, label, key == tab) for key, label in TABS.items()]
    return _render(request, "consultations/inbox.html", form, page, rows, tab=tab, tabs=tabs)


@actor_view
def queue(request: ActorRequest, actor: Actor) -> HttpResponse:
    require_role(actor, *EXPERT_ROLES)
    form = ListFilterForm(request.GET)
    page = _page(request, _filtered(actor, form, "queue"), "queue")
    rows = _rows(page, actor)
    return _render(request, "consultations/queue.html", form, page, rows)
