"""Where each action of the consultation's table is taken on the pages. The workspace and
the lists offer exactly what the workflow engine says this person may do now
(`consultation_actions`); this only says which page, or which button, takes it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor

from ..models import Consultation
from ..services import consultation_actions
from ..workflow import Action


@dataclass(frozen=True)
class PageAction:
    label: str | Promise
    url: str
    post: bool = False  # a button that posts (no form of its own), else a link
    primary: bool = False
    danger: bool = False  # undoes the work (cancelling): never styled as the main action

    @property
    def style(self) -> str:
        """The button's variant in the kit, on the consultation's own page."""
        if self.danger:
            return "btn-outline-danger"
        return "btn-primary" if self.primary else "btn-outline-secondary"

    @property
    def row_style(self) -> str:
        """Quieter in a list's row: many rows, many buttons; cancelling reads as a link."""
        if self.danger:
            return "btn-link link-danger"
        return "btn-outline-primary" if self.primary else "btn-outline-secondary"


# (label, url name, posts, primary), in the order they are shown; where two actions share a
# page, the first names it (a returned request's page is to amend and resubmit). The
# acknowledgement has its own form on the workspace.
_PAGES: dict[Action, tuple[str | Promise, str, bool, bool]] = {
    Action.RESUBMIT: (_("Amend and resubmit"), "consultations:edit", False, True),
    Action.SUBMIT: (_("Amend the request"), "consultations:edit", False, True),
    Action.UPDATE: (_("Amend the request"), "consultations:edit", False, True),
    Action.QC_PASS: (_("Quality check"), "consultations:qc", False, True),
    Action.QC_RETURN: (_("Quality check"), "consultations:qc", False, True),
    Action.TRIAGE_ASSIGN: (_("Triage"), "consultations:triage", False, True),
    Action.EXPERT_ACCEPT: (_("Accept or decline"), "consultations:answer", False, True),
    Action.EXPERT_DECLINE: (_("Accept or decline"), "consultations:answer", False, True),
    Action.SCHEDULE: (_("Book a time"), "consultations:schedule", False, True),
    Action.RESCHEDULE: (_("Change the time"), "consultations:schedule", False, False),
    Action.START: (_("Start the consultation"), "consultations:start", True, True),
    Action.OPINION_SAVE: (_("Write the opinion"), "consultations:opinion", False, True),
    Action.OPINION_PART_SIGN: (_("Write the opinion"), "consultations:opinion", False, True),
    Action.OPINION_SIGN: (_("Write the opinion"), "consultations:opinion", False, True),
    Action.OPINION_CORRECT: (
        _("My opinion and corrections"),
        "consultations:opinion",
        False,
        False,
    ),
    Action.CANCEL: (_("Cancel the consultation"), "consultations:cancel", False, False),
}


def row_actions(actor: Actor, c: Consultation) -> list[PageAction]:
    """What a list's row offers: the pages of `page_actions` (starting is a button of the
    workspace), and for a signed opinion waiting for the requester, reading it there."""
    allowed = set(consultation_actions(actor=actor, consultation=c))
    shown = [a for a in _actions(c, allowed) if not a.post]
    if Action.ACKNOWLEDGE in allowed:
        url = reverse("consultations:detail", args=[c.uuid])
        shown.insert(0, PageAction(_("Read and acknowledge"), url, primary=True))
    return shown


def page_actions(actor: Actor, c: Consultation) -> list[PageAction]:
    """What this actor can do now, one entry per page (the quality check's pass and return
    are one page). The services still decide, with a message if someone acted meanwhile."""
    return _actions(c, set(consultation_actions(actor=actor, consultation=c)))


def _actions(c: Consultation, allowed: set[Action]) -> list[PageAction]:
    out: dict[str, PageAction] = {}
    for action, (label, name, post, primary) in _PAGES.items():
        if action not in allowed:
            continue
        url = reverse(name, args=[c.uuid])
        danger = action == Action.CANCEL
        out.setdefault(url, PageAction(label, url, post, primary, danger))
    return list(out.values())
