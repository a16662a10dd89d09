"""Writing the demo province into the database, stage by stage.

Each stage (regions and institutions, staff, residents, logins) commits in one transaction,
so a crash leaves whole stages behind and a second run carries on with the first stage
that is missing. The rows are written in bulk and are not audited: no user acted, and the
audit log records what people do with patient data, not how a synthetic province was made."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xietong.accounts.models import User
from xietong.directory.models import (
    CollaborationLink,
    Department,
    DicomNode,
    Expert,
    Institution,
    Practitioner,
    Region,
)
from xietong.patients.models import CareReason, CareRelationship, Patient

from .activity import activity_exists, demo_activity_write, history_began
from .clock import at_moment
from .logins import demo_users_write
from .plan import LINKS_SINCE, PROVINCE_CODE, SCALES, ProvincePlan, demo_counties, province_plan
from .residents import patient_plan
from .staff import staff_plan

DEFAULT_SEED = 20261122
BATCH = 5000
_UUIDS = uuid.UUID("0b7d6a0e-54c2-4f55-8f7e-6b1f1f0c9e21")
LEVEL_ORDER = ("provincial", "municipal", "county", "township", "village")
T = TypeVar("T")


class DemoSeedError(Exception):
    """The database holds something the seed cannot build on."""


@dataclass(frozen=True)
class SeedStatus:
    province: bool
    staff: bool
    patients: bool
    logins: bool
    activity: bool

    @property
    def complete(self) -> bool:
        return self.province and self.staff and self.patients and self.logins and self.activity


def seed_status(plan: ProvincePlan) -> SeedStatus:
    county_a = demo_counties(plan)[0]
    return SeedStatus(
        province=Region.objects.filter(code=PROVINCE_CODE).exists(),
        # Stage markers that only that stage writes (the logins add practitioners only at
        # provincial hospitals and county A).
        staff=Practitioner.objects.filter(institution__code=plan.municipal_hospital["410100"])
        .exists(),
        patients=CareRelationship.objects.filter(
            institution__code=plan.county_hospital[county_a.code], reason=CareReason.REGISTERED
        ).exists(),
        logins=User.objects.filter(username="doctor_county").exists(),
        activity=activity_exists(),
    )  # fmt: skip


def province_exists() -> bool:
    return Region.objects.filter(code=PROVINCE_CODE).exists()


def demo_seed(*, seed: int = DEFAULT_SEED, scale: str = "small", if_empty: bool = False,
              say: Callable[[str], None] = lambda _m: None) -> bool:  # fmt: skip
    """Seeds the demo province and returns True, or returns False when `if_empty` and the
    province is already complete. A partly seeded database is completed."""
    if scale not in SCALES:
        raise DemoSeedError(_("Unknown scale %(scale)s.") % {"scale": scale})
    plan = province_plan(seed=seed, scale=scale)
    status = seed_status(plan)
    if status.complete:
        if if_empty:
            say(_("The demo province is already in this database; nothing to do."))
            return False
        raise DemoSeedError(
            _("The demo province is already in this database. Use --if-empty to accept that.")
        )
    if status.province and not _same_province(plan):
        raise DemoSeedError(
            _(
                "This database holds part of a demo province of another seed or scale; "
                "start from an empty database."
            )
        )
    stages: list[tuple[bool, str, Callable[[ProvincePlan], str]]] = [
        (status.province, _("regions, institutions and collaboration links"), _write_province),
        (status.staff, _("practitioners and experts"), _write_staff),
        (status.patients, _("residents and their care relationships"), _write_patients),
        (status.logins, _("demo logins"), _write_logins),
        (
            status.activity,
            _("published slots and a history of consultations and referrals"),
            demo_activity_write,
        ),
    ]
    # The province and its people were entered when the demo's week began, a minute a
    # stage; the activity tells its own week (activity.py).
    began = history_began(timezone.now())
    for n, (done, label, write) in enumerate(stages):
        if done:
            say(_("Already there: %(stage)s.") % {"stage": label})
            continue
        started = time.monotonic()
        entered = (
            nullcontext()
            if write is demo_activity_write
            else at_moment(began + dt.timedelta(minutes=n))
        )
        with entered, transaction.atomic():
            summary = write(plan)
        say(
            _("Seeded %(stage)s: %(summary)s (%(seconds).1f s).")
            % {"stage": label, "summary": summary, "seconds": time.monotonic() - started}
        )
    _analyze()
    return True


def _analyze() -> None:
    # Fresh statistics after a bulk load: without them the planner takes the new tables
    # for empty and picks poor plans until autovacuum comes round.
    tables = [
        model._meta.db_table
        for model in (Region, Institution, CollaborationLink, Practitioner, Expert, Patient,
                      CareRelationship)
    ]  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
        elif connection.vendor == "sqlite":
            cursor.execute("ANALYZE")


def _same_province(plan: ProvincePlan) -> bool:
    """Whether the regions in the database are the ones this seed and scale draw: the
    counties and townships carry the seed's invented names."""
    levels = ("county", "township")
    stored = set(Region.objects.filter(level__in=levels).values_list("code", "name"))
    return stored == {(r.code, r.name) for r in plan.regions if r.level in levels}


def _batches(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _write_province(plan: ProvincePlan) -> str:
    region_ids: dict[str, int] = {}
    for level in ("province", "city", "county", "township", "village"):
        rows = [
            Region(
                code=r.code,
                name=r.name,
                level=r.level,
                parent_id=region_ids[r.parent_code] if r.parent_code else None,
                path=r.path,
            )
            for r in plan.regions
            if r.level == level
        ]
        for batch in _batches(rows):
            Region.objects.bulk_create(batch)
        region_ids.update(
            Region.objects.filter(level=level, code__startswith="41").values_list("code", "pk")
        )
    institution_ids: dict[str, int] = {}
    for level in LEVEL_ORDER:
        rows_i = [
            Institution(
                uuid=uuid.uuid5(_UUIDS, f"{plan.seed}:institution:{i.code}"),
                code=i.code,
                name=i.name,
                short_name=i.short_name,
                level=i.level,
                kind=i.kind,
                grade=i.grade,
                region_id=region_ids[i.region_code],
                upline_id=institution_ids[i.upline_code] if i.upline_code else None,
                phone=i.phone,
                address=i.address,
            )
            for i in plan.institutions
            if i.level == level
        ]
        for batch_i in _batches(rows_i):
            for created in Institution.objects.bulk_create(batch_i):
                institution_ids[created.code] = _pk(created)
    links = (
        CollaborationLink(
            provider_id=institution_ids[link.provider_code],
            client_id=institution_ids[link.client_code],
            service=link.service,
            since=LINKS_SINCE,
        )
        for link in plan.links
    )
    for batch_l in _batches(links):
        CollaborationLink.objects.bulk_create(batch_l)
    nodes = (
        DicomNode(
            uuid=uuid.uuid5(_UUIDS, f"{plan.seed}:dicom_node:{node.ae_title}"),
            institution_id=institution_ids[node.institution_code],
            ae_title=node.ae_title,
            note=node.note,
        )
        for node in plan.dicom_nodes
    )
    for batch_n in _batches(nodes):
        DicomNode.objects.bulk_create(batch_n)
    return _("%(regions)d regions, %(institutions)d institutions, %(links)d links") % {
        "regions": len(plan.regions),
        "institutions": len(plan.institutions),
        "links": len(plan.links),
    }


def _pk(obj: Institution | Practitioner | Patient) -> int:
    # PostgreSQL and SQLite (3.35+) both return the keys of bulk-created rows.
    if obj.pk is None:
        raise DemoSeedError("the database did not return the keys of bulk-created rows")
    return int(obj.pk)


def _institution_ids(codes: Iterable[str]) -> dict[str, int]:
    wanted = set(codes)
    found: dict[str, int] = {}
    for batch in _batches(sorted(wanted), 900):  # below SQLite's limit on parameters
        found.update(Institution.objects.filter(code__in=batch).values_list("code", "pk"))
    return found


def _write_staff(plan: ProvincePlan) -> str:
    staff = staff_plan(plan)
    institutions = _institution_ids(p.institution_code for p in staff)
    departments = dict(Department.objects.values_list("code", "pk"))
    experts = 0
    for batch in _batches(staff):
        created = Practitioner.objects.bulk_create(
            [
                Practitioner(
                    uuid=p.uuid,
                    name=p.name,
                    sex=p.sex,
                    institution_id=institutions[p.institution_code],
                    department_id=departments[p.department_code],
                    title=p.title,
                    practising_since=p.practising_since,
                    specialties=p.specialties,
                    licence_number=p.licence_number,
                )
                for p in batch
            ]
        )
        profiles = [
            Expert(practitioner_id=_pk(row), accepts=list(spec.accepts), bio=spec.bio)
            for row, spec in zip(created, batch, strict=True)
            if spec.accepts is not None
        ]
        Expert.objects.bulk_create(profiles)
        experts += len(profiles)
    return _("%(practitioners)d practitioners, %(experts)d of them experts") % {
        "practitioners": len(staff),
        "experts": experts,
    }


def _write_patients(plan: ProvincePlan) -> str:
    institutions = _institution_ids(
        [*plan.county_hospital.values(), *plan.township_centre.values()]
    )
    regions = dict(Region.objects.filter(level="village").values_list("code", "pk"))
    total = 0
    for batch in _batches(patient_plan(plan)):
        created = Patient.objects.bulk_create(
            [
                Patient(
                    uuid=p.uuid,
                    name=p.name,
                    sex=p.sex,
                    birth_date=p.birth_date,
                    resident_id=p.resident_id,
                    phone=p.phone,
                    address_region_id=regions[p.address_region_code],
                    address=p.address,
                    ethnicity=p.ethnicity,
                    registered_by_id=institutions[p.institution_code],
                )
                for p in batch
            ]
        )
        CareRelationship.objects.bulk_create(
            [
                CareRelationship(
                    patient_id=_pk(row),
                    institution_id=institutions[spec.institution_code],
                    reason=CareReason.REGISTERED,
                )
                for row, spec in zip(created, batch, strict=True)
            ]
        )
        total += len(batch)
    return _("%(patients)d residents") % {"patients": total}


def _write_logins(plan: ProvincePlan) -> str:
    created = demo_users_write(plan)
    return _("%(users)d users") % {"users": created}
