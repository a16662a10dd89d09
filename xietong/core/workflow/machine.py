"""A workflow's machine: its transition table as data, and what may be done now.

(state, action) -> Transition(next state, who may act: (party, roles) pairs). A party is
what the actor is to this object (the requester, the serving centre, an assigned expert);
the roles say which of that party's people may act. The app gives the hooks that know its
objects: the parties of an actor, the visibility filter, the timeline and who to tell."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.audit_vocabulary import AuditVocabulary, audit_vocabulary_register
from xietong.core.errors import Conflict, NotPermitted

if TYPE_CHECKING:
    from .steps import Step

M = TypeVar("M", bound=models.Model)

Who = tuple[tuple[str, frozenset[str]], ...]


@dataclass(frozen=True)
class Transition:
    next: str
    who: Who


@dataclass(frozen=True, eq=False)
class Machine(Generic[M]):
    """One workflow. `name` prefixes its audit actions and events ("consultation.submit");
    `noun` names an object of it in messages; `stamps` names the timestamp set when a state
    is first entered (or every time, with `restamp`)."""

    name: str
    noun: str | Promise
    model: type[M]
    states: type[models.TextChoices]
    table: Mapping[tuple[Any, Any], Transition]
    labels: Mapping[Any, str | Promise]
    terminal: frozenset[str]
    parties: Callable[[Actor, M], AbstractSet[str]]
    visible: Callable[[Actor], Q]
    timeline: Callable[[Step[M], list[int]], None]
    # Who is told of a step, and how. The title may be a lazy text: notifications keep it
    # in every language the platform speaks, for each reader to see in theirs.
    tell: Callable[[Step[M], list[int], str | Promise, bool], None]
    resource_type: str
    stamps: Mapping[str, str] = field(default_factory=dict)
    restamp: bool = False
    system_party: str = "system"
    # Whether an action makes sense for this object and this person beyond the table (a
    # kind of referral has no examination report; an expert who has answered is not asked
    # again); the services refuse what does not fit, this keeps it from being offered.
    fits: Callable[[str, M, Actor], bool] | None = None
    # Side effects of a change inside its transaction (a care relationship, access ending).
    on_change: Callable[[Step[M]], None] | None = None
    # The key the step's reason goes under in the audit record's detail.
    reason_key: str = "reason"
    # What the app read about a row and keeps on it (its assignments), moved onto the row
    # re-read under a lock when no step came between (`unchanged_since`).
    carry: Callable[[M, M], None] | None = None
    # Fields of the row that every step's event carries (the centre whose board changes),
    # so that listeners after commit need not read the row again.
    event_fields: tuple[str, ...] = ()
    # The row of a key with what a step's answer shows, for `held_for_step(key=…)`, and the
    # fields of the actor that `visible` reads besides their roles (ids it compares with
    # the row's, not values it computes from): given both, the held read's SQL is compiled
    # once per set of roles and reused (core/rows.py, ADR 16) instead of on every step.
    rows_of: Callable[[Any], QuerySet[M]] | None = None
    visible_reads: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Every step is audited as `<name>.<action>`: the table is the audit vocabulary.
        audit_vocabulary_register(self.audit_vocabulary())

    def audit_vocabulary(self) -> AuditVocabulary:
        actions = {action for (_state, action) in self.table}
        return AuditVocabulary(
            actions={
                f"{self.name}.{a}": format_lazy("{}: {}", self.noun, self.labels.get(a, a))
                for a in sorted(actions)
            },
            resource_types={self.resource_type: self.noun},
        )

    # ------------------------------------------------------------- the table

    def state_label(self, state: str) -> str:
        return str(self.states(state).label)

    def action_label(self, action: str) -> str:
        return str(self.labels.get(action, action))

    def allowed_actions(self, state: str) -> list[str]:
        """Every action the table has from this state, whoever may take it."""
        return [action for (st, action) in self.table if st == state]

    def transition_for(
        self, *, state: str, action: str, parties: AbstractSet[str], roles: AbstractSet[str]
    ) -> str:
        """The next state, or the refusal by the house rule (core/errors.py): a role that
        never takes this action is NotPermitted (403); the wrong state, or the wrong party
        to this object, is a Conflict (409) with what the object is now."""
        if self.system_party not in parties and not self._role_may_start(action, roles):
            raise NotPermitted(
                _("Your role may not %(action)s.") % {"action": self.action_label(action)},
                code="role_may_not",
            )
        transition = self.table.get((state, action))
        if transition is None:
            raise Conflict(
                _("Cannot %(action)s: the %(noun)s is %(state)s.")
                % {
                    "action": self.action_label(action),
                    "noun": self.noun,
                    "state": self.state_label(state),
                },
                code="wrong_state",
            )
        if self._who_matches(transition.who, parties, roles):
            return transition.next
        raise Conflict(
            _("You cannot %(action)s this %(noun)s in your role.")
            % {"action": self.action_label(action), "noun": self.noun},
            code="wrong_party",
        )

    def _role_may_start(self, action: str, roles: AbstractSet[str]) -> bool:
        """Whether any row of the table lets one of these roles take this action (a party
        that names no roles lets any of its people)."""
        for (_state, act), transition in self.table.items():
            if act != action:
                continue
            for party, needed in transition.who:
                if party != self.system_party and (not needed or roles & needed):
                    return True
        return False

    def may(
        self, *, state: str, action: str, parties: AbstractSet[str], roles: AbstractSet[str]
    ) -> bool:
        transition = self.table.get((state, action))
        return transition is not None and self._who_matches(transition.who, parties, roles)

    @staticmethod
    def _who_matches(who: Who, parties: AbstractSet[str], roles: AbstractSet[str]) -> bool:
        return any(party in parties and (not needed or roles & needed) for party, needed in who)

    def actions_for(self, *, actor: Actor, obj: M) -> list[str]:
        """What this actor may do to this object now: its state, the actor's party and
        roles, and whether the action fits the object. Pages, rows, templates and the API
        all offer exactly these."""
        state = str(obj.status)  # type: ignore[attr-defined]
        parties = self.parties(actor, obj)
        if not parties:
            return []
        return [
            action
            for action in self.allowed_actions(state)
            if self.may(state=state, action=action, parties=parties, roles=actor.roles)
            and (self.fits is None or self.fits(action, obj, actor))
        ]

    def changed_meanwhile(self, state: str, action: str | None = None) -> Conflict:
        """Someone else's change won the race for the row: say what it is now."""
        if action is None:
            message = _("Someone acted on this %(noun)s a moment ago: it is now %(state)s.") % {
                "noun": self.noun,
                "state": self.state_label(state),
            }
        else:
            message = _(
                "Someone acted on this %(noun)s a moment ago: it is now %(state)s, "
                "so you cannot %(action)s."
            ) % {
                "noun": self.noun,
                "state": self.state_label(state),
                "action": self.action_label(action),
            }
        return Conflict(message, code="changed_meanwhile")

    # ------------------------------------------------------ the step runner

    def held_for_step(
        self,
        *,
        actor: Actor,
        refused: Callable[[M | None], NoReturn],
        rows: QuerySet[M] | None = None,
        key: Any = None,
    ) -> AbstractContextManager[M]:
        from .steps import held_for_step

        return held_for_step(self, actor=actor, rows=rows, key=key, refused=refused)

    def lock(self, *, actor: Actor, obj: M) -> M:
        from .steps import lock

        return lock(self, actor=actor, obj=obj)

    def step_begin(self, *, actor: Actor, obj: M, action: str) -> Step[M]:
        from .steps import step_begin

        return step_begin(self, actor=actor, obj=obj, action=action)

    def step_check(self, *, actor: Actor, obj: M, action: str) -> Step[M]:
        from .steps import step_check

        return step_check(self, actor=actor, obj=obj, action=action)

    def step_system(self, *, obj: M, action: str, actor: Actor | None = None) -> Step[M]:
        from .steps import step_system

        return step_system(self, obj=obj, action=action, actor=actor)

    def step_finish(
        self,
        step: Step[M],
        *,
        notify: Iterable[int] = (),
        title: str | Promise = "",
        update_fields: Iterable[str] = (),
        urgent: bool = False,
        detail: Mapping[str, Any] | None = None,
        row_written_next: bool = False,
    ) -> M:
        from .steps import step_finish

        return step_finish(
            step,
            notify=notify,
            title=title,
            update_fields=update_fields,
            urgent=urgent,
            detail=detail,
            row_written_next=row_written_next,
        )
