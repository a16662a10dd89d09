"""The one workflow engine: a machine built from a transition table, the step runner every
transition goes through, and the business numbers (ADR 14).

A workflow app keeps only its table, its parties and its domain rules:

    MACHINE = Machine(name="consultation", model=Consultation, states=Status, table=TABLE, ...)

    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.SUBMIT)
        ...  # the domain rules, on step.obj (locked)
        return MACHINE.step_finish(step, notify=qc_ids(step.obj), title=_("New request"))

and reads `MACHINE.actions_for(actor=actor, obj=obj)` wherever it offers actions."""

from .machine import Machine, Transition, Who
from .numbers import business_number_next
from .steps import Step, unchanged_since

__all__ = ["Machine", "Step", "Transition", "Who", "business_number_next", "unchanged_since"]
