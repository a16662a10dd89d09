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


# (label, url name, posts, primary), in the order they are shown; where two actions share a
# page, the first names it (a returned request's page is to amend and resubmit). The
# acknowledgement has its own form on the workspace.
_PAGES: dict[Action, tuple[str | Promise, str, bool, bool]] = {
    Action.RESUBMIT: (_("Amend and resubmit"), "consultations:edit", False, False),
    Action.SUBMIT: (_("Amend the request"), "consultations:edit", False, False),
    Action.UPDATE: (_("Amend the request"), "consultations:edit", False, False),
    Action.QC_PASS: (_("Quality check"), "consultations:qc", False, False),
    Action.QC_RETURN: (_("Quality check"), "consultations:qc", False, False),
    Action.TRIAGE_ASSIGN: (_("Triage"), "consultations:triage", False, False),
    Action.EXPERT_ACCEPT: (_("Accept or decline"), "consultations:answer", False, False),
    Action.EXPERT_DECLINE: (_("Accept or decline"), "consultations:answer", False, False),
    Action.SCHEDULE: (_("Book a time"), "consultations:schedule", False, False),
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


def page_actions(actor: Actor, c: Consultation) -> list[PageAction]:
    """What this actor can do now, one entry per page (the quality check's pass and return
    are one page). The services still decide, with a message if someone acted meanwhile."""
    allowed = set(consultation_actions(actor=actor, consultation=c))
    out: dict[str, PageAction] = {}
    for action, (label, name, post, primary) in _PAGES.items():
        if action not in allowed:
            continue
        url = reverse(name, args=[c.uuid])
        out.setdefault(url, PageAction(label, url, post, primary))
    return list(out.values())
