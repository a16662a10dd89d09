from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import audit_check
from .access import audit_chain_verifiable_by, audit_log_readable_by
from .audit import ChainReport
from .forms import AuditFilterForm
from .home import home_cards_for
from .http import ActorRequest
from .selectors import AuditFilters, audit_chain_check, audit_log_search

AUDIT_PAGE_SIZE = 50


@login_required
def home(request: ActorRequest) -> HttpResponse:
    actor = request.actor
    cards = home_cards_for(request, actor) if actor else []
    return render(request, "core/home.html", {"cards": cards})


@login_required
def audit_log(request: ActorRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    page = None
    if form.is_valid():
        events = audit_log_search(actor=request.actor, filters=form.filters())
        page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    elif not audit_log_readable_by(request.actor):
        # Refused (404) and recorded, exactly as a well-formed search would be.
        audit_log_search(actor=request.actor, filters=AuditFilters())
    return render(
        request,
        "core/audit_log.html",
        {
            "form": form,
            "page": page,
            "can_verify": audit_chain_verifiable_by(request.actor),
        },
    )


def _broken_reason(report: ChainReport) -> str:
    # audit_verify speaks English to operators on the command line; people here read this.
    reasons = {
        audit_check.MISSING: _("a link is missing"),
        audit_check.PREVIOUS: _("it does not follow from the link before it"),
        audit_check.UNKEYED: _(
            "it carries no keyed hash, though it was written after keyed hashing began"
        ),
        audit_check.HEAD: _(
            "the record of the chain's end is missing or does not match its last link"
        ),
        audit_check.CHECKPOINT: _("it differs from what a signed checkpoint recorded"),
    }
    return reasons.get(report.kind, _("its content was changed after it was written"))


@require_POST
@login_required
def audit_verify_chain(request: ActorRequest) -> HttpResponse:
    report = audit_chain_check(actor=request.actor)
    if report.kind == audit_check.CHECKPOINT_FILE:
        messages.error(
            request,
            _(
                "The audit log's checkpoint file was changed: a line in it is not signed with "
                "this installation's audit key."
            ),
        )
    elif report.ok:
        messages.success(
            request,
            ngettext(
                "The audit chain is intact: %(checked)s link verified.",
                "The audit chain is intact: %(checked)s links verified.",
                report.checked,
            )
            % {"checked": report.checked},
        )
    else:
        messages.error(
            request,
            _(
                "Audit chain %(chain)s is broken at link %(link)s: %(reason)s. "
                "%(checked)s links before it were verified."
            )
            % {
                "chain": report.chain,
                "link": report.broken_at,
                "reason": _broken_reason(report),
                "checked": report.checked,
            },
        )
    return redirect("audit:log")
