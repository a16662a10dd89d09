"""The step runner: every transition of every workflow goes through here.

held_for_step  for a request that changes one row: read and lock it once, with what the
             answer shows, for the request's transaction
step_check   the table's answer on the row as read, without a lock: before something slow
             (a password) that must not hold the row; step_begin follows
step_begin   lock the row once (the visibility check in the same query) and check the
             table for this actor; call it inside transaction.atomic()
step_finish  write only the fields that changed, audit in the same transaction, add the
             timeline line, and tell the parties (emitted after commit)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Generic, NoReturn

from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, ForeignKey, QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from xietong.core.actor import Actor
from xietong.core.audit import audit_batch, audit_record
from xietong.core.errors import Conflict, NotFound
from xietong.core.events import event_emit
from xietong.core.rows import RowQuery, row_or_none

from .machine import M, Machine

VISIBLE = "xt_visible_to_actor"
_HELD = "_xt_held_by"


@dataclass
class Step(Generic[M]):
    """A transition in progress: who, which row (locked), from where to where, as which
    parties. Services add the reason and the detail the audit record keeps."""

    machine: Machine[M]
    actor: Actor | None
    obj: M
    action: str
    before: str
    after: str
    parties: frozenset[str] = frozenset()
    reason: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    at: dt.datetime = field(default_factory=timezone.now)


def _status(obj: Any) -> str:
    return str(obj.status)


@contextmanager
def held_for_step(
    machine: Machine[M],
    *,
    actor: Actor,
    refused: Callable[[M | None], NoReturn],
    rows: QuerySet[M] | None = None,
    key: Any = None,
) -> Iterator[M]:
    """For a request that changes one row: the row of `rows` (one key, with the relations
    the answer shows), or of `key` through the machine's `rows_of`, locked and read in one
    query that asks whether the actor may see it, inside a transaction that lasts the
    block. The step's own lock takes it as it is, so a step costs one read of its row. Not
    visible (or missing): the transaction ends first, then `refused` (given the row, if it
    exists) records the refusal, which stays on record, and raises."""
    with transaction.atomic():
        found = (
            _locked(machine, actor, rows)
            if rows is not None
            else _locked_by_key(machine, actor, key)
        )
        if found is not None and getattr(found, VISIBLE):
            _hold(found)
            # What the request records (the steps, the grants and bookings they make)
            # joins the audit chain in one append when it ends.
            with audit_batch():
                yield found
            return
    refused(found)


def _locked(machine: Machine[M], actor: Actor, rows: QuerySet[M]) -> M | None:
    """The one row of `rows`, locked (its own table only) and read with a VISIBLE column
    that says whether the actor may see it."""
    return row_or_none(_lockable(machine, actor, rows))


def _lockable(machine: Machine[M], actor: Actor, rows: QuerySet[M]) -> QuerySet[M]:
    visible = ExpressionWrapper(machine.visible(actor), output_field=BooleanField())
    return rows.select_for_update(of=("self",)).annotate(**{VISIBLE: visible})


def _locked_by_key(machine: Machine[M], actor: Actor, key: Any) -> M | None:
    """As `_locked`, for the row of `key`: with the SQL compiled once per set of roles when
    the machine says what `visible` reads of the actor."""
    if key is None:
        return None
    if machine.rows_of is None:
        raise TypeError(f"{machine.name}: held_for_step(key=…) needs the machine's rows_of")
    if not machine.visible_reads:
        return _locked(machine, actor, machine.rows_of(key))
    return _compiled_locked(machine, actor, key, by_pk=False)


def _locked_by_pk(machine: Machine[M], actor: Actor, pk: Any) -> M | None:
    """As `_locked`, for the row of this primary key (a step on a row read before)."""
    if not machine.visible_reads:
        return _locked(machine, actor, machine.model._default_manager.filter(pk=pk))
    return _compiled_locked(machine, actor, pk, by_pk=True)


def _compiled_locked(machine: Machine[M], actor: Actor, key: Any, *, by_pk: bool) -> M | None:
    return _held_rows(machine, by_pk=by_pk).row(
        key,
        *(getattr(actor, name) for name in machine.visible_reads),
        shape=(actor.roles, actor.is_platform_admin),
    )


_HELD_ROWS: dict[tuple[str, bool], RowQuery[Any]] = {}


def _held_rows(machine: Machine[M], *, by_pk: bool) -> RowQuery[M]:
    """The held read of a machine as a RowQuery, by its key (`rows_of`) or its primary key:
    built from the key and the fields of the actor that `visible` reads, through a stand-in
    actor that has only those (and the roles), so that nothing else of the caller can slip
    into the SQL."""
    found = _HELD_ROWS.get((machine.name, by_pk))
    if found is None:
        manager = machine.model._default_manager
        rows_of = (lambda pk: manager.filter(pk=pk)) if by_pk else machine.rows_of
        assert rows_of is not None  # checked by the caller

        def build(key: Any, *values: Any, shape: tuple[frozenset[str], bool]) -> QuerySet[M]:
            roles, platform_admin = shape
            fields: dict[str, Any] = {"user_id": 0, "username": ""}
            fields.update(zip(machine.visible_reads, values, strict=True))
            stand_in = Actor(roles=roles, is_platform_admin=platform_admin, **fields)
            return _lockable(machine, stand_in, rows_of(key))

        found = _HELD_ROWS[(machine.name, by_pk)] = RowQuery(machine.model, build)
    return found


def _hold(obj: Any) -> None:
    """Marks the row locked by the innermost transaction block now open."""
    obj.__dict__[_HELD] = connection.atomic_blocks[-1]


def _held(obj: Any) -> bool:
    """Whether the row was locked by a transaction block still open (so still locked)."""
    block = obj.__dict__.get(_HELD)
    return block is not None and any(b is block for b in connection.atomic_blocks)


def lock(machine: Machine[M], *, actor: Actor, obj: M) -> M:
    """The row, locked until the transaction ends and re-read, in one query that also asks
    whether the actor may see it. Someone who may not see it meets NotFound, unless they saw
    it a moment ago and lost it to that change (an expert whose consultation was just
    cancelled): they are told what happened. A row this transaction holds already
    (`held_for_step`) is taken as it is."""
    if _held(obj):
        return obj
    seen = _status(obj)
    locked = _locked_by_pk(machine, actor, obj.pk)
    if locked is None:
        raise NotFound()
    if not getattr(locked, VISIBLE):
        if _status(locked) != seen:
            raise machine.changed_meanwhile(_status(locked))
        raise NotFound()
    relations_carry(into=locked, source=obj)
    if machine.carry is not None and unchanged_since(locked, obj):
        machine.carry(locked, obj)
    _hold(locked)
    return locked


def unchanged_since(row: Any, read: Any) -> bool:
    """Whether no step changed the row since `read` was read. Every step writes the row's
    `updated_at` (step_finish), and what hangs off a workflow's row (assignments, drafts)
    changes only in its steps: the same `updated_at` means what was read then still holds."""
    return bool(read.updated_at is not None and row.updated_at == read.updated_at)


def relations_carry(*, into: M, source: M) -> None:
    """The related rows `source` was read with (its patient, its institutions), given to the
    re-read `into` where it still points at the same rows: the step and its answer use them
    without reading them again."""
    for f in type(source)._meta.concrete_fields:
        if (
            isinstance(f, ForeignKey)
            and f.is_cached(source)
            and not f.is_cached(into)
            and getattr(source, f.attname) == getattr(into, f.attname)
        ):
            f.set_cached_value(into, f.get_cached_value(source))


def step_begin(machine: Machine[M], *, actor: Actor, obj: M, action: str) -> Step[M]:
    """Locks, then checks the table for this actor. A refusal that comes from someone
    else's change a moment ago says so."""
    seen = _status(obj)
    locked = lock(machine, actor=actor, obj=obj)
    state = _status(locked)
    parties = frozenset(machine.parties(actor, locked))
    try:
        after = machine.transition_for(
            state=state, action=action, parties=parties, roles=actor.roles
        )
    except Conflict:
        if state != seen:
            raise machine.changed_meanwhile(state, action) from None
        raise
    return Step(machine, actor, locked, action, state, after, parties)


def step_check(machine: Machine[M], *, actor: Actor, obj: M, action: str) -> Step[M]:
    """The table's answer for this actor on the row as it was read (visible to them), with no
    lock: for a step that asks the person for something slow first (a password) and must not
    hold the row meanwhile, nor ask for it when the step cannot happen. The step it returns
    is never finished: step_begin takes the row again and checks again."""
    state = _status(obj)
    parties = frozenset(machine.parties(actor, obj))
    after = machine.transition_for(state=state, action=action, parties=parties, roles=actor.roles)
    return Step(machine, actor, obj, action, state, after, parties)


def step_system(machine: Machine[M], *, obj: M, action: str, actor: Actor | None = None) -> Step[M]:
    """A transition the platform makes by itself, on a row already locked; `actor` is the
    person whose step set it off, if any, to whom the records attribute it."""
    state = _status(obj)
    after = machine.transition_for(
        state=state, action=action, parties={machine.system_party}, roles=frozenset()
    )
    return Step(machine, actor, obj, action, state, after, frozenset({machine.system_party}))


def step_finish(
    step: Step[M],
    *,
    notify: Iterable[int],
    title: str | Promise,
    update_fields: Iterable[str],
    urgent: bool,
    detail: Mapping[str, Any] | None,
    row_written_next: bool = False,
) -> M:
    """Write the new state with the fields the service changed (and no others), audit,
    add the timeline line, and tell `notify` (without the actor). Every transition of every
    workflow ends here. `row_written_next`: a step that changes no field of the row and is
    followed, in the same transaction, by one that does (the last expert's accept, then
    all accepted) leaves the write to that one."""
    machine, obj, actor = step.machine, step.obj, step.actor
    now = step.at = timezone.now()
    if detail:
        step.detail.update(detail)
    fields = set(update_fields) | {"updated_at"}
    if step.after != step.before:
        setattr(obj, "status", step.after)  # noqa: B010 (M is any workflow model)
        setattr(obj, "status_changed_at", now)  # noqa: B010
        fields |= {"status", "status_changed_at"}
        stamp = machine.stamps.get(step.after)
        if stamp and (machine.restamp or getattr(obj, stamp) is None):
            setattr(obj, stamp, now)
            fields.add(stamp)
    unchanged = step.after == step.before and fields == {"updated_at"}
    if not (row_written_next and unchanged):
        obj.save(update_fields=sorted(fields))
    recipients = sorted({uid for uid in notify if actor is None or uid != actor.user_id})
    uuid = getattr(obj, "uuid")  # noqa: B009
    with audit_batch():  # the step's event and any grant its change opens, appended once
        _step_recorded(step, recipients)
    carried = {name: getattr(obj, name) for name in machine.event_fields}
    event_emit(
        f"{machine.name}.{step.action}", **{machine.name: str(uuid)}, status=step.after, **carried
    )
    if recipients:
        machine.tell(step, recipients, title, urgent)
    return obj


def _step_recorded(step: Step[M], recipients: list[int]) -> None:
    """The audit event, the timeline line and what the change sets off in other apps."""
    machine, obj, actor = step.machine, step.obj, step.actor
    audit_record(
        actor=actor,
        action=f"{machine.name}.{step.action}",
        resource_type=machine.resource_type,
        resource_id=getattr(obj, "uuid"),  # noqa: B009
        patient_id=getattr(obj, "patient_id", None),
        detail={
            "number": getattr(obj, "number", ""),
            "from": step.before,
            "to": step.after,
            machine.reason_key: step.reason,
            **step.detail,
        },
    )
    machine.timeline(step, recipients)
    if machine.on_change is not None:
        machine.on_change(step)
