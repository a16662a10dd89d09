"""Outgoing, incoming and down-referred lists with filters, and the desk's arrivals today
with check-in by the slip's QR code or number."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotFound
from xietong.core.http import ActorRequest
from xietong.core.listing import page_shown, rows_shown
from xietong.core.pages import actor_view
from xietong.core.sorting import most_urgent_first, sorted_rows, sorting_read

from ..forms import ListFilterForm
from ..models import Referral, Status
from ..selectors import arrivals_for, referral_by_number_for, referrals_for
from ..services import booked_day_ahead, referral_actions, referral_check_in
from ..workflow import ACTION_LABELS, Action

PAGE_SIZE = 25
TITLES = {
    "outgoing": gettext_lazy("Outgoing referrals"),
    "incoming": gettext_lazy("Incoming referrals"),
    "down": gettext_lazy("Referred back to us"),
}


def _plain(data: dict[str, Any]) -> dict[str, str]:
    """The filters as the audit keeps them: the values typed or chosen, as text."""
    return {k: str(v) for k, v in data.items() if v not in (None, "", False)}


# The columns a list sorts by (core/sorting.py); by default, the selector's order.
COLUMNS = {
    "number": ("number",),
    "patient": ("patient__name",),
    "urgency": (most_urgent_first(),),
    "from": ("sending_institution__name",),
    "to": ("receiving_institution__name",),
    "appointment": ("slot_start",),
}


def _list(request: ActorRequest, actor: Actor, scope: str) -> HttpResponse:
    form = ListFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = referrals_for(
        actor=actor,
        scope=scope,
        status=data.get("status") or None,
        kind=data.get("kind") or None,
        urgency=data.get("urgency") or None,
        q=data.get("q") or None,
    )
    sorting = sorting_read(request.GET, columns=COLUMNS)
    page = page_shown(
        actor=actor, rows=sorted_rows(qs, sorting, columns=COLUMNS),
        number=request.GET.get("page"), per_page=PAGE_SIZE, resource_type="ServiceRequest",
        criteria={"list": f"referrals.{scope}", **_plain(data)},
    )  # fmt: skip
    for r in page.object_list:
        # What the viewer may do to each row: the engine's answer, as on the detail page.
        r.offered = [ACTION_LABELS[Action(a)] for a in referral_actions(actor=actor, referral=r)]
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "form": form,
        "page": page,
        "rows": page.object_list,
        "query": query.urlencode(),
        "scope": scope,
        "title": TITLES[scope],
        "sorting": sorting,
    }
    if getattr(request, "htmx", False):
        return render(request, "referrals/_rows.html", context)
    return render(request, "referrals/list.html", context)


@actor_view
def outgoing(request: ActorRequest, actor: Actor) -> HttpResponse:
    return _list(request, actor, "outgoing")


@actor_view
def incoming(request: ActorRequest, actor: Actor) -> HttpResponse:
    return _list(request, actor, "incoming")


@actor_view
def down(request: ActorRequest, actor: Actor) -> HttpResponse:
    return _list(request, actor, "down")


@actor_view
def arrivals(request: ActorRequest, actor: Actor) -> HttpResponse:
    if request.method != "POST":
        return _arrivals_page(request, actor)
    payload = request.POST.get("payload", "")
    try:
        r = referral_by_number_for(actor=actor, payload=payload)
        day = booked_day_ahead(r)
        if day and r.status == Status.ACCEPTED and not request.POST.get("early"):
            # Booked for a later day: the desk decides before anything is recorded (an
            # arrival cannot be taken back), seeing when the patient is expected.
            return _arrivals_page(request, actor, early=r)
        r = referral_check_in(actor=actor, referral=r)
    except NotFound:
        messages.error(request, _("No referral to your institution has this number."))
    except Conflict as exc:
        messages.error(request, str(exc.message))
    else:
        names = {"patient": r.patient.name, "number": r.number}
        if day:
            messages.success(
                request,
                _("%(patient)s (%(number)s) is checked in, before the booked day.") % names,
            )
        else:
            messages.success(request, _("%(patient)s (%(number)s) is checked in.") % names)
    return redirect("referrals:arrivals")


def _arrivals_page(
    request: ActorRequest, actor: Actor, early: Referral | None = None
) -> HttpResponse:
    rows = rows_shown(
        actor=actor, rows=list(arrivals_for(actor=actor)), resource_type="ServiceRequest",
        criteria={"list": "referrals.arrivals"},
    )  # fmt: skip
    for r in rows:
        # A button on the row where the engine lets this person check the patient in.
        r.can_check_in = Action.CHECK_IN in referral_actions(actor=actor, referral=r)  # type: ignore[attr-defined]
    return render(request, "referrals/arrivals.html", {"rows": rows, "early": early})
