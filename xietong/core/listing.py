"""Lists that show patients (names, diagnoses) are reads of patient data too. One audit
event per page shown, not per patient: the page's patients are named in its detail, so a
patient's access history finds the lists they appeared on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .actor import Actor
from .audit import audit_record
from .audit_vocabulary import resource_action

Row = TypeVar("Row")


def rows_shown(
    *, actor: Actor, rows: Sequence[Row], resource_type: str, criteria: dict[str, Any]
) -> list[Row]:
    """Records that these rows (each with a `patient_id`) were shown to the actor."""
    shown = list(rows)
    patient_ids = sorted({pid for r in shown if (pid := getattr(r, "patient_id", None))})
    if patient_ids:
        audit_record(
            actor=actor,
            action=resource_action(resource_type, "search"),
            resource_type=resource_type,
            # A list of one patient is that patient's read; of several, none's in particular.
            patient_id=patient_ids[0] if len(patient_ids) == 1 else None,
            detail={"criteria": criteria, "count": len(shown), "patient_ids": patient_ids},
        )
    return shown


def page_shown(
    *,
    actor: Actor,
    rows: QuerySet[Any],
    number: str | None,
    per_page: int,
    resource_type: str,
    criteria: dict[str, Any],
) -> Page[Any]:
    """The page `number` of `rows`, its patients recorded as shown (rows_shown)."""
    page = Paginator(rows, per_page).get_page(number)
    page.object_list = rows_shown(
        actor=actor, rows=list(page.object_list), resource_type=resource_type,
        criteria={**criteria, "page": page.number},
    )  # fmt: skip
    return page
