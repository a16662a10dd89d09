"""Everything the workspace page shows, gathered for one actor: the request, its experts,
the timeline, the opinions, the deadlines and the actions this actor can take now."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.imaging.sections import study_rows

from ..models import (
    Consultation,
    Opinion,
    OpinionPart,
    Status,
)
from ..panels import workspace_panels_render
from ..selectors import (
    AWAITING_ACCEPT,
    AWAITING_ANSWER,
    consultation_assignments,
    consultation_opinions,
    consultation_timeline,
)
from ..services import consultation_actions
from ..study_selectors import consultation_studies_for
from ..workflow import ACTION_LABELS, Action
from .actions import page_actions


@dataclass
class OpinionThread:
    """One expert's part (or the MDT summary): its versions, newest first."""

    expert_name: str
    part: str
    versions: list[Opinion] = field(default_factory=list)

    @property
    def current(self) -> Opinion:
        return self.versions[0]

    @property
    def older(self) -> list[Opinion]:
        return self.versions[1:]

    @property
    def is_summary(self) -> bool:
        return self.part == OpinionPart.SUMMARY


def opinion_threads(c: Consultation, *, include_drafts: bool) -> list[OpinionThread]:
    threads: dict[tuple[int, str], OpinionThread] = {}
    for o in consultation_opinions(consultation=c):
        if not o.is_signed and not include_drafts:
            continue
        key = (o.expert_id, o.part)
        if key not in threads:
            threads[key] = OpinionThread(o.expert.practitioner.name, o.part)
        threads[key].versions.insert(0, o)
    # The summary (the conclusion) first, then each expert's part.
    return sorted(threads.values(), key=lambda t: (not t.is_summary, t.expert_name))


def pdf_url(opinion: Opinion) -> str:
    url = reverse("consultations:opinion_pdf", args=[opinion.consultation.uuid, opinion.version])
    return f"{url}?part={opinion.part}&expert={opinion.expert.practitioner.uuid}"


def deadlines(c: Consultation) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    if c.accept_by:
        rows.append(
            {
                "label": _("To be accepted by"),
                "at": c.accept_by,
                "overdue": c.status in AWAITING_ACCEPT and c.accept_by < now,
                "running": c.status in AWAITING_ACCEPT,
            }
        )
    if c.answer_by:
        rows.append(
            {
                "label": _("To be answered by"),
                "at": c.answer_by,
                "overdue": c.status in AWAITING_ANSWER and c.answer_by < now,
                "running": c.status in AWAITING_ANSWER,
            }
        )
    return rows


def _event_label(action: str) -> str:
    if action == "create":  # the draft's first line: not a transition of the table
        return _("request created")
    if action == Action.START:  # its label "start" means a slot's start time elsewhere
        return _("Start the consultation")
    try:
        return str(ACTION_LABELS[Action(action)])
    except ValueError:
        return action


def workspace_context(actor: Actor, c: Consultation) -> dict[str, Any]:
    actions = consultation_actions(actor=actor, consultation=c)
    events = list(consultation_timeline(consultation=c).select_related("actor_user"))
    for e in events:
        e.label = _event_label(e.action)  # type: ignore[attr-defined]
        e.to_label = Status(e.to_status).label if e.to_status else ""  # type: ignore[attr-defined]
        e.who = str(e.actor_user) if e.actor_user else (e.actor_name or _("the platform"))  # type: ignore[attr-defined]
    threads = opinion_threads(c, include_drafts=False)
    for t in threads:
        for o in t.versions:
            o.pdf_url = pdf_url(o)  # type: ignore[attr-defined]
    return {
        "c": c,
        "patient": c.patient,
        "assignments": list(consultation_assignments(consultation=c)),
        "events": events,
        "opinion_threads": threads,
        "deadlines": deadlines(c),
        "actions": page_actions(actor, c),
        "can_acknowledge": Action.ACKNOWLEDGE in actions,
        "status_label": Status(c.status).label,
        "panels": workspace_panels_render(actor=actor, consultation=c),
        "studies": study_rows(consultation_studies_for(actor=actor, consultation=c)),
    }
