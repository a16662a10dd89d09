from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from django.utils import timezone

from xietong.accounts.tests.factories import make_actor
from xietong.core.actor import Actor
from xietong.directory.models import CollaborationLink, Institution
from xietong.directory.tests.factories import DepartmentFactory, InstitutionFactory
from xietong.patients.tests.factories import make_patient
from xietong.scheduling.models import Schedule, Slot, SlotStatus
from xietong.scheduling.subjects import PATIENT


def a_hospital(**kwargs: Any) -> Institution:
    kwargs.setdefault("level", "provincial")
    return cast(Institution, InstitutionFactory(**kwargs))


def desk_of(institution: Institution, role: str = "referral_desk") -> Actor:
    return make_actor(role, institution=institution)


def make_schedule(institution: Institution | None = None, **kwargs: Any) -> Schedule:
    institution = institution or a_hospital()
    kwargs.setdefault("department", DepartmentFactory())
    kwargs.setdefault("purpose", "outpatient")
    kwargs.setdefault("name", "心内科专家门诊")
    return Schedule.objects.create(institution=institution, **kwargs)


def make_slot(
    schedule: Schedule | None = None,
    *,
    in_hours: float = 48,
    capacity: int = 1,
    booked: int = 0,
    reserved: int = 0,
    minutes: int = 30,
    status: str = SlotStatus.FREE,
) -> Slot:
    schedule = schedule or make_schedule()
    start = (timezone.now() + dt.timedelta(hours=in_hours)).replace(microsecond=0)
    return Slot.objects.create(
        schedule=schedule,
        institution_id=schedule.institution_id,
        department_id=schedule.department_id,
        practitioner_id=schedule.practitioner_id,
        examination_type=schedule.examination_type,
        purpose=schedule.purpose,
        start=start,
        end=start + dt.timedelta(minutes=minutes),
        capacity=capacity,
        booked_count=booked,
        referral_reserved=reserved,
        status=status,
    )


def subject() -> uuid.UUID:
    return uuid.uuid4()


def bare_subject(actor: Actor) -> dict[str, Any]:
    """What a desk books directly: a new patient of the actor's own institution."""
    institution = Institution.objects.get(pk=actor.institution_id or 0)
    return {"subject_type": PATIENT, "subject_id": make_patient(institution).uuid}


def referring(client: Institution | int | None, provider: Institution | int) -> None:
    """`provider` accepts referrals from `client` (a collaboration link)."""
    CollaborationLink.objects.get_or_create(
        provider_id=getattr(provider, "pk", provider),
        client_id=getattr(client, "pk", client),
        service="referral",
    )
