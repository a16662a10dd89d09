"""A small workflow the engine's tests run: a ticket an author sends to a desk.

    open --send (author)--> sent --accept (desk)--> done
                            sent --return (desk)--> open
                            sent --expire (system)--> closed
    open, sent --cancel (author, or the desk once sent)--> closed

The table is data, like every workflow's; the tests are generated from it."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.functional import Promise

from xietong.core.actor import Actor
from xietong.core.workflow import Machine, Step, Transition


class TicketState(models.TextChoices):
    OPEN = "open", "open"
    SENT = "sent", "sent"
    DONE = "done", "done"
    CLOSED = "closed", "closed"


class Ticket(models.Model):
    """Only in the tests' database (its table is made by core's conftest)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True)
    number = models.CharField(max_length=20, default="")
    patient_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=10, default=TicketState.OPEN)
    status_changed_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True)
    done_at = models.DateTimeField(null=True)
    note = models.CharField(max_length=40, default="")
    author_institution_id = models.BigIntegerField()
    desk_institution_id = models.BigIntegerField()

    objects: models.Manager[Ticket] = models.Manager()

    class Meta:
        app_label = "core"
        managed = False

    def __str__(self) -> str:
        return self.number


S = TicketState
AUTHOR = ("author", frozenset({"requester"}))
DESK = ("desk", frozenset({"referral_desk"}))
SYSTEM = ("system", frozenset[str]())

TABLE = {
    (S.OPEN, "send"): Transition(S.SENT, (AUTHOR,)),
    (S.SENT, "accept"): Transition(S.DONE, (DESK,)),
    (S.SENT, "return"): Transition(S.OPEN, (DESK,)),
    (S.SENT, "expire"): Transition(S.CLOSED, (SYSTEM,)),
    (S.OPEN, "cancel"): Transition(S.CLOSED, (AUTHOR,)),
    (S.SENT, "cancel"): Transition(S.CLOSED, (AUTHOR, DESK)),
}
LABELS = {"send": "send", "accept": "accept", "return": "return", "expire": "expire"}

timeline: list[tuple[str, str, str, list[int]]] = []
told: list[tuple[list[int], str | Promise, bool]] = []
changed: list[str] = []


def ticket_parties(actor: Actor, ticket: Ticket) -> set[str]:
    parties = set()
    if actor.institution_id == ticket.author_institution_id:
        parties.add("author")
    if actor.institution_id == ticket.desk_institution_id and ticket.status != S.OPEN:
        parties.add("desk")
    return parties


def ticket_visible_q(actor: Actor) -> Q:
    if actor.institution_id is None:
        return Q(pk__in=[])
    return Q(author_institution_id=actor.institution_id) | (
        Q(desk_institution_id=actor.institution_id) & ~Q(status=S.OPEN)
    )


def _timeline(step: Step[Ticket], recipients: list[int]) -> None:
    timeline.append((step.action, step.before, step.after, recipients))


def _tell(step: Step[Ticket], recipients: list[int], title: str | Promise, urgent: bool) -> None:
    told.append((recipients, title, urgent))


def _on_change(step: Step[Ticket]) -> None:
    changed.append(step.action)


def _fits(action: str, ticket: Ticket, actor: Actor) -> bool:
    # A ticket with a note cannot be returned: what it needs is written on it.
    return not (action == "return" and ticket.note)


MACHINE: Machine[Ticket] = Machine(
    name="ticket",
    noun="ticket",
    model=Ticket,
    states=TicketState,
    table=TABLE,
    labels=LABELS,
    terminal=frozenset({S.DONE, S.CLOSED}),
    parties=ticket_parties,
    visible=ticket_visible_q,
    timeline=_timeline,
    tell=_tell,
    resource_type="Ticket",
    stamps={S.SENT: "sent_at", S.DONE: "done_at"},
    fits=_fits,
    on_change=_on_change,
)
