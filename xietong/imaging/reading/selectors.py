"""Reads of reading requests, scoped to what the actor may see (access.py): one request
(its read audited where it is fetched), the reading centre's worklist (each page shown
recorded as one search), the numbers the navigation shows."""

from __future__ import annotations

import datetime as dt
import uuid as uuid_lib
from dataclasses import dataclass
from typing import NoReturn

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.errors import Message, NotFound, ValidationFailed
from xietong.core.keys import uuid_or_none
from xietong.core.listing import rows_shown
from xietong.core.reads import SHOW, Intent, read_recorded, read_refused
from xietong.core.rows import row_or_none

from .access import can_read, visible_readings_q
from .models import ImagingReport, ReadingEvent, ReadingRequest, Status, Urgency
from .workflow import AWAITING_REPORT, overdue_minutes

RESOURCE = "ImagingReading"
# What a request's page and a step's answer show of its relations, read with it.
SHOWN_WITH = ("patient", "study", "requesting_institution", "requesting_user", "centre", "reader")
# The worklist's order: the most urgent first, and within an urgency the newest (the
# overdue flag and the waiting-time filter bring the old ones forward).
URGENCY_RANK = Case(
    When(urgency=Urgency.EMERGENCY, then=Value(0)),
    When(urgency=Urgency.URGENT, then=Value(1)),
    default=Value(2),
)


def overdue_q(now: dt.datetime) -> Q:
    """Waiting for a report for longer than its urgency allows."""
    q = Q(pk__in=[])
    for urgency, minutes in overdue_minutes().items():
        q |= Q(urgency=urgency, created_at__lt=now - dt.timedelta(minutes=minutes))
    return Q(status__in=AWAITING_REPORT) & q


def reading_rows(*, reading_uuid: uuid_lib.UUID | str) -> QuerySet[ReadingRequest]:
    """The request of this key (none for a malformed one), with what its answer shows."""
    key = uuid_or_none(reading_uuid)
    if key is None:
        return ReadingRequest.objects.none()
    return ReadingRequest.objects.filter(uuid=key).select_related(*SHOWN_WITH)


def reading_refused(
    *, actor: Actor, reading_uuid: object, found: ReadingRequest | None
) -> NoReturn:
    """A refused fetch on record (call it outside any block the NotFound unwinds), then
    NotFound."""
    key = uuid_or_none(reading_uuid)
    if found is not None:
        patient_id: int | None = found.patient_id
    else:
        patient_id = (
            ReadingRequest.objects.filter(uuid=key).values_list("patient_id", flat=True).first()
            if key
            else None
        )
    read_refused(actor=actor, resource_type=RESOURCE, resource_id=reading_uuid,
                 patient_id=patient_id)  # fmt: skip
    raise NotFound()


def get_reading_for(
    *, actor: Actor, reading_uuid: uuid_lib.UUID | str, intent: Intent = SHOW
) -> ReadingRequest:
    """NotFound for missing and forbidden alike; a read shown to the actor is audited."""
    found = row_or_none(reading_rows(reading_uuid=reading_uuid).filter(visible_readings_q(actor)))
    if found is None:
        reading_refused(actor=actor, reading_uuid=reading_uuid, found=None)
    read_recorded(actor=actor, intent=intent, resource_type=RESOURCE, resource_id=found.uuid,
                  patient_id=found.patient_id, detail={"number": found.number})  # fmt: skip
    return found


@dataclass(frozen=True)
class WorklistFilters:
    modality: str = ""
    body_part: str = ""
    urgency: str = ""
    institution: str = ""  # the requesting institution's UUID
    waited: int | None = None  # waiting for at least this many hours
    status: str = ""  # "" : what waits to be read and reviewed; or one status
    mine: bool = False  # what I claimed

    def criteria(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None, False)}


WORKLIST_OPEN = (Status.REQUESTED, Status.READING, Status.PRELIMINARY)


def _filtered(qs: QuerySet[ReadingRequest], f: WorklistFilters, now: dt.datetime) -> QuerySet:
    errors: dict[str, list[Message]] = {}
    if f.urgency and f.urgency not in Urgency.values:
        errors["urgency"] = [_("Choose one of the listed values.")]
    if f.status and f.status not in Status.values:
        errors["status"] = [_("Choose one of the listed values.")]
    institution = uuid_or_none(f.institution) if f.institution else None
    if f.institution and institution is None:
        errors["institution"] = [_("Choose one of the listed values.")]
    if f.waited is not None and f.waited < 0:
        errors["waited"] = [_("Enter a number of hours, 0 or more.")]
    if errors:
        raise ValidationFailed(errors)
    qs = qs.filter(status=f.status) if f.status else qs.filter(status__in=WORKLIST_OPEN)
    if f.modality:
        qs = qs.filter(modalities__contains=f"/{f.modality.upper()}/")
    if f.body_part:
        qs = qs.filter(body_part=f.body_part.upper())
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if institution is not None:
        qs = qs.filter(requesting_institution__uuid=institution)
    if f.waited:
        qs = qs.filter(created_at__lte=now - dt.timedelta(hours=f.waited))
    return qs


def worklist_for(
    *,
    actor: Actor,
    filters: WorklistFilters | None = None,
    now: dt.datetime | None = None,
    limit: int = 200,
) -> list[ReadingRequest]:
    """The reading centre's studies to read (and preliminaries to review), with
    `is_overdue` on each: the most urgent first, and within an urgency the newest. The
    list is recorded as one search."""
    now = now or timezone.now()
    f = filters or WorklistFilters()
    if not can_read(actor):
        return []
    qs = ReadingRequest.objects.filter(centre_id=actor.institution_id)
    qs = _filtered(qs, f, now)
    if f.mine:
        qs = qs.filter(reader_id=actor.user_id)
    rows = list(
        qs.annotate(
            is_overdue=Case(When(overdue_q(now), then=Value(True)), default=Value(False),
                            output_field=BooleanField()),
            urgency_rank=URGENCY_RANK,
        )
        .select_related("patient", "study", "requesting_institution", "reader")
        .order_by("urgency_rank", "-created_at")[:limit]
    )  # fmt: skip
    return rows_shown(actor=actor, rows=rows, resource_type=RESOURCE,
                      criteria={"list": "imaging.worklist", **f.criteria()})  # fmt: skip


def requests_of_institution_for(*, actor: Actor, limit: int = 100) -> list[ReadingRequest]:
    """What the requester's institution asked to be read, newest first (one search)."""
    if actor.institution_id is None:
        return []
    rows = list(
        ReadingRequest.objects.filter(visible_readings_q(actor),
                                      requesting_institution_id=actor.institution_id)
        .select_related("patient", "study", "centre")
        .order_by("-created_at")[:limit]
    )  # fmt: skip
    return rows_shown(actor=actor, rows=rows, resource_type=RESOURCE,
                      criteria={"list": "imaging.requests"})  # fmt: skip


def worklist_waiting_count(actor: Actor) -> int | None:
    """The navigation's number: studies waiting to be claimed at the reader's centre, and
    for a senior the preliminaries waiting for review too (one COUNT)."""
    if not can_read(actor):
        return None
    return ReadingRequest.objects.filter(
        centre_id=actor.institution_id, status__in=(Status.REQUESTED, Status.PRELIMINARY)
    ).count()


def reading_timeline(*, reading: ReadingRequest) -> QuerySet[ReadingEvent]:
    return reading.events.order_by("at", "id")


def reading_reports(*, reading: ReadingRequest) -> list[ImagingReport]:
    """Every version, oldest first (the current one last)."""
    return list(reading.reports.select_related("author", "signed_by").order_by("version"))


def critical_unacknowledged_count(actor: Actor) -> int | None:
    """The requester's number: critical findings (危急值) reported to their institution
    that nobody there has acknowledged yet (one COUNT)."""
    if actor.institution_id is None:
        return None
    return ReadingRequest.objects.filter(
        requesting_institution_id=actor.institution_id,
        critical=True,
        critical_acknowledged_at__isnull=True,
        status__in=(Status.PRELIMINARY, Status.FINAL, Status.AMENDED),
    ).count()


# What the requester reads: a report once it is submitted (never a draft).
REPORT_SHOWN = (Status.PRELIMINARY, Status.FINAL, Status.AMENDED)


def reports_shown_to(*, actor: Actor, reading: ReadingRequest) -> list[ImagingReport]:
    """The versions this actor reads, newest first: every signed one, the preliminary under
    review, and for the reading centre the draft being written. The read is the request's
    (get_reading_for recorded it)."""
    reports = reading_reports(reading=reading)
    current = reports[-1] if reports else None
    centre_side = reading.centre_id == actor.institution_id and can_read(actor)
    shown = [
        rep
        for rep in reports
        if rep.is_signed
        or (rep.preliminary_at is not None and reading.status in REPORT_SHOWN)
        or (centre_side and rep is current)
    ]
    return list(reversed(shown))


def signed_report_for(
    *, actor: Actor, reading_uuid: uuid_lib.UUID | str, version: int
) -> ImagingReport:
    """A signed version of the report of a request the actor sees, read for its PDF (the
    read recorded as the report's). NotFound for a draft or a preliminary."""
    r = get_reading_for(actor=actor, reading_uuid=reading_uuid, intent=Intent.CHANGE)
    found = (
        ImagingReport.objects.filter(reading=r, version=version, signed_at__isnull=False)
        .select_related("author", "signed_by__practitioner", "supersedes")
        .first()
    )
    if found is None:
        read_refused(actor=actor, resource_type="ImagingReport", resource_id=f"{r.uuid}/v{version}",
                     patient_id=r.patient_id)  # fmt: skip
        raise NotFound()
    found.reading = r
    read_recorded(actor=actor, intent=SHOW, resource_type="ImagingReport", resource_id=found.uuid,
                  patient_id=r.patient_id,
                  detail={"number": r.number, "version": version, "format": "pdf"})  # fmt: skip
    return found


def report_preview_for(*, actor: Actor, reading_uuid: uuid_lib.UUID | str) -> ImagingReport:
    """The version not yet signed (the claimer's draft, or the preliminary under review),
    read for its preview PDF by the reading centre's readers and seniors, who see it on the
    page already. NotFound for the requester (who never reads a draft), for everyone else,
    and once every version is signed. The read is recorded as the report's."""
    r = get_reading_for(actor=actor, reading_uuid=reading_uuid, intent=Intent.CHANGE)
    centre_side = r.centre_id == actor.institution_id and can_read(actor)
    found = (
        ImagingReport.objects.filter(reading=r, signed_at__isnull=True)
        .select_related("author")
        .order_by("-version")
        .first()
        if centre_side and r.status in (Status.READING, Status.PRELIMINARY)
        else None
    )
    if found is None:
        read_refused(actor=actor, resource_type="ImagingReport", resource_id=f"{r.uuid}/preview",
                     patient_id=r.patient_id)  # fmt: skip
        raise NotFound()
    found.reading = r
    read_recorded(actor=actor, intent=SHOW, resource_type="ImagingReport", resource_id=found.uuid,
                  patient_id=r.patient_id,
                  detail={"number": r.number, "version": found.version,
                          "format": "pdf", "preview": True})  # fmt: skip
    return found
