"""Institutions: browsing by region, one institution's departments, experts and links,
and who serves whom."""

from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import NotFound

from ..models import (
    CollaborationLink,
    Department,
    Expert,
    Institution,
    InstitutionKind,
    InstitutionLevel,
    Practitioner,
    Region,
    Service,
)
from ._common import _check_choice, _split_terms, _text_q, level_rank, title_rank


def institutions_in_region(
    *,
    region: Region | None = None,
    level: str | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> QuerySet[Institution]:
    """Active institutions anywhere in `region`'s subtree (everywhere when None), higher
    levels first."""
    _check_choice("level", level, InstitutionLevel.values)
    _check_choice("kind", kind, InstitutionKind.values)
    qs = Institution.objects.filter(active=True).select_related("region")
    if region is not None:
        qs = qs.filter(region__path__startswith=region.path)
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind=kind)
    for term in _split_terms(q):
        qs = qs.filter(_text_q(term, "name", "short_name") | Q(code__iexact=term))
    return qs.annotate(level_rank=level_rank()).order_by("-level_rank", "code")


def institution_level_counts(qs: QuerySet[Institution]) -> dict[str, int]:
    rows = qs.order_by().values("level").annotate(n=Count("id"))
    return {row["level"]: row["n"] for row in rows}


def get_institution(*, uuid: uuid_lib.UUID | str) -> Institution:
    try:
        key = uuid if isinstance(uuid, uuid_lib.UUID) else uuid_lib.UUID(str(uuid))
    except ValueError:
        raise NotFound(_("There is no such institution.")) from None
    institution = Institution.objects.filter(uuid=key).select_related("region", "upline").first()
    if institution is None:
        raise NotFound(_("There is no such institution."))
    return institution


@dataclass(frozen=True)
class DepartmentSummary:
    department: Department
    practitioners: int
    experts: int


def institution_departments(*, institution: Institution) -> list[DepartmentSummary]:
    """The departments an institution has, as seen from the practitioners who work there."""
    rows = (
        Practitioner.objects.filter(institution=institution, department__isnull=False)
        .values("department")
        .annotate(
            practitioners=Count("id"),
            experts=Count("id", filter=Q(expert__isnull=False, expert__active=True)),
        )
    )
    counts = {row["department"]: row for row in rows}
    departments = Department.objects.filter(pk__in=list(counts)).order_by("code")
    return [
        DepartmentSummary(d, counts[d.pk]["practitioners"], counts[d.pk]["experts"])
        for d in departments
    ]


def institution_experts(*, institution: Institution) -> QuerySet[Expert]:
    return (
        Expert.objects.filter(active=True, practitioner__institution=institution)
        .select_related("practitioner__department", "practitioner__institution")
        .annotate(title_rank=title_rank("practitioner__"))
        .order_by("practitioner__department__code", "-title_rank", "practitioner__name")
    )


@dataclass
class LinkGroup:
    service: str
    label: str
    count: int
    institutions: list[Institution] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.institutions)


@dataclass
class InstitutionLinks:
    provides: list[LinkGroup]  # whom this institution serves, per service
    receives: list[LinkGroup]  # who serves this institution, per service


def institution_links(*, institution: Institution, sample: int = 8) -> InstitutionLinks:
    """Collaboration links both ways, grouped by service. A provincial centre serves
    thousands, so each group carries its count and the first `sample` partners only."""
    return InstitutionLinks(
        provides=_link_groups(institution, provides=True, sample=sample),
        receives=_link_groups(institution, provides=False, sample=sample),
    )


def _link_groups(institution: Institution, *, provides: bool, sample: int) -> list[LinkGroup]:
    # Seen from the partner: the links in which it is the client (when we provide) or the
    # provider (when we receive).
    mine, theirs, partner_side = (
        ("provider", "client", "served_by") if provides else ("client", "provider", "serves")
    )
    links = CollaborationLink.objects.filter(
        active=True, **{mine: institution, f"{theirs}__active": True}
    )
    counts = {
        row["service"]: row["n"]
        for row in links.order_by().values("service").annotate(n=Count("id"))
    }
    labels = dict(Service.choices)
    groups = []
    for service in Service.values:
        if not counts.get(service):
            continue
        partners = (
            Institution.objects.filter(
                active=True,
                **{
                    f"{partner_side}__{mine}": institution,
                    f"{partner_side}__service": service,
                    f"{partner_side}__active": True,
                },
            )
            .annotate(level_rank=level_rank())
            .order_by("-level_rank", "code")[:sample]
        )
        groups.append(LinkGroup(service, str(labels[service]), counts[service], list(partners)))
    return groups


# ---------------------------------------------------------------- experts


def departments() -> QuerySet[Department]:
    return Department.objects.order_by("code")


def department_by_code(*, code: str) -> Department | None:
    return Department.objects.filter(code=code).first()


def institution_by_code(*, code: str) -> Institution | None:
    return Institution.objects.filter(code=code).first()


def institution_by_id(*, institution_id: int) -> Institution | None:
    """By the integer key an actor and other apps' rows carry."""
    return Institution.objects.filter(pk=institution_id).first()


def institution_by_uuid(*, uuid: uuid_lib.UUID | str) -> Institution | None:
    """The institution with this key and its region, active or not, or None."""
    try:
        key = uuid if isinstance(uuid, uuid_lib.UUID) else uuid_lib.UUID(str(uuid))
    except ValueError:
        return None
    return Institution.objects.filter(uuid=key).select_related("region").first()


def practitioner_by_uuid(*, uuid: uuid_lib.UUID | str) -> Practitioner | None:
    return Practitioner.objects.filter(uuid=uuid).first()


# ---------------------------------------------------------------- collaboration


def collaboration_providers_for(*, institution: Institution, service: str) -> QuerySet[Institution]:
    """Who serves `institution` for `service` through an active link: higher levels first
    and, within a level, telemedicine centres (which triage) before hospitals."""
    _check_choice("service", service, Service.values)
    return (
        Institution.objects.filter(
            active=True,
            serves__client=institution,
            serves__service=service,
            serves__active=True,
        )
        .select_related("region")
        .annotate(
            level_rank=level_rank(),
            centre_first=Case(
                When(kind=InstitutionKind.TELEMEDICINE_CENTRE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("-level_rank", "centre_first", "code")
    )


def serving_provider_for(
    *, institution: Institution, services: Sequence[str]
) -> Institution | None:
    """The one institution that serves `institution`, taking `services` in order (an imaging
    consultation asks for an imaging reading centre, then a consultation centre): for the
    first service with a link, a telemedicine centre if one is linked, else the highest
    provider. Consultations route their requests with it, and imaging its reading requests."""
    for service in dict.fromkeys(services):
        providers = list(collaboration_providers_for(institution=institution, service=service))
        centres = [p for p in providers if p.kind == InstitutionKind.TELEMEDICINE_CENTRE]
        chosen = centres or providers
        if chosen:
            return chosen[0]
    return None


def collaboration_link_exists(*, provider_id: int, client_id: int, service: str) -> bool:
    """Whether `provider_id` serves `client_id` for `service` through an active link (the
    institutions' own state is the caller's to check)."""
    _check_choice("service", service, Service.values)
    return CollaborationLink.objects.filter(
        provider_id=provider_id, client_id=client_id, service=service, active=True
    ).exists()


def collaboration_clients_of(
    *, provider_id: int, service: str, including_id: int | None = None
) -> QuerySet[Institution]:
    """Whom `provider_id` serves for `service` through an active link and, besides them,
    the institution `including_id` (a down-referral may always go back to its sender), by
    name. Inactive institutions are not left out."""
    _check_choice("service", service, Service.values)
    wanted = Q(
        served_by__provider_id=provider_id, served_by__service=service, served_by__active=True
    )
    if including_id is not None:
        wanted = Q(pk=including_id) | wanted
    return Institution.objects.filter(wanted).distinct().order_by("name")
