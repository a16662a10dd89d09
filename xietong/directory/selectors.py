"""Reads of the directory: the region tree, institutions, their departments and experts,
the expert library and who serves whom.

The directory holds no patient data and every signed-in user may browse all of it, so
these selectors take no actor (later apps call `expert_search` and
`collaboration_providers_for` from their own, actor-scoped services). Inactive institutions
and experts who do not accept requests are left out of what people browse."""

from __future__ import annotations

import uuid as uuid_lib
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import NotFound, ValidationFailed

from .models import (
    LEVEL_RANK,
    TITLE_RANK,
    CollaborationLink,
    Department,
    Expert,
    Institution,
    InstitutionKind,
    InstitutionLevel,
    Practitioner,
    Region,
    Service,
    Title,
)


def level_rank(prefix: str = "") -> Case:
    """The institution level as a number (provincial 5 … village 1), for ordering in SQL."""
    return Case(
        *[
            When(**{f"{prefix}level": level}, then=Value(rank))
            for level, rank in LEVEL_RANK.items()
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


def title_rank(prefix: str = "") -> Case:
    return Case(
        *[
            When(**{f"{prefix}title": title}, then=Value(rank))
            for title, rank in TITLE_RANK.items()
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


def _check_choice(name: str, value: str | None, choices: list[str]) -> None:
    if value is not None and value not in choices:
        raise ValidationFailed.single(name, _("Select a valid choice."))


def _split_terms(q: str | None) -> list[str]:
    return [term for term in (q or "").split() if term][:5]


def _text_q(term: str, *fields: str) -> Q:
    """`term` appears in any of `fields`. Chinese has no letter case, so a term without
    Latin letters is matched as it is: upper-casing every row first costs most of the
    search's time on PostgreSQL."""
    lookup = "icontains" if any(c.isascii() and c.isalpha() for c in term) else "contains"
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__{lookup}": term})
    return q


# ---------------------------------------------------------------- regions


def region_children(*, parent: Region | None = None) -> QuerySet[Region]:
    """The regions directly below `parent` (the top of the tree when None)."""
    return Region.objects.filter(parent=parent).order_by("code")


def get_region(*, code: str) -> Region:
    region = Region.objects.filter(code=code).select_related("parent").first()
    if region is None:
        raise NotFound(_("There is no region with this code."))
    return region


def region_breadcrumbs(*, region: Region) -> list[Region]:
    """The region's ancestors from the top down, ending with the region itself."""
    codes = [code for code in region.path.split("/") if code]
    found = {r.code: r for r in Region.objects.filter(code__in=codes)}
    return [found[code] for code in codes if code in found]


def region_institution_counts(*, children: list[Region]) -> dict[int, int]:
    """How many active institutions each child region's whole subtree holds: one grouped
    query per distinct path length (siblings' codes have one length, so usually one)."""
    counts: dict[int, int] = {}
    by_length: dict[tuple[int, str], dict[str, Region]] = {}
    for child in children:
        # Siblings share their parent's path: one prefix filter covers them all.
        parent_path = child.path[: len(child.path) - len(child.code) - 1]
        by_length.setdefault((len(child.path), parent_path), {})[child.path] = child
    for (length, parent_path), paths in by_length.items():
        rows = (
            Institution.objects.filter(active=True, region__path__startswith=parent_path)
            .annotate(prefix=Substr("region__path", 1, length))
            .values("prefix")
            .annotate(n=Count("id"))
        )
        for row in rows:
            found = paths.get(row["prefix"])
            if found is not None:
                counts[found.pk] = row["n"]
    return counts


# ---------------------------------------------------------------- institutions


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


def expert_search(
    *,
    q: str | None = None,
    department: str | None = None,
    specialty: str | None = None,
    title: str | None = None,
    institution_level: str | None = None,
    service: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> QuerySet[Expert]:
    """The expert library: experts who accept requests, provincial institutions first, then
    chief physicians first, then by name. `department` is a standard code and includes its
    sub-departments ("03" finds cardiology "03.04" too). One page of `limit` experts from
    `offset`; `expert_search_page` gives the total with it."""
    filters = expert_search_queryset(
        q=q,
        department=department,
        specialty=specialty,
        title=title,
        institution_level=institution_level,
        service=service,
    )
    keys, _total = _page_keys(filters, limit=limit, offset=offset, with_total=False)
    return _experts_in_order(keys)


@dataclass(frozen=True)
class ExpertPage:
    experts: list[Expert]
    total: int


def expert_search_page(*, limit: int = 20, offset: int = 0, **filters: str | None) -> ExpertPage:
    """A page of `expert_search` and the number of experts that match, as pages and the
    API show them."""
    matching = expert_search_queryset(**filters)
    keys, total = _page_keys(matching, limit=limit, offset=offset, with_total=True)
    return ExpertPage(list(_experts_in_order(keys)), total)


def _page_keys(matching: QuerySet[Expert], *, limit: int, offset: int,
               with_total: bool) -> tuple[list[int], int]:  # fmt: skip
    # Only the keys are sorted and sliced: carrying every joined column through the sort
    # of thousands of rows costs more than the search. The total rides along as a window
    # count, which saves a second pass over the same rows.
    limit = max(1, min(int(limit), 100))
    offset = max(0, int(offset))
    if not with_total:
        return list(matching.values_list("pk", flat=True)[offset : offset + limit]), -1
    rows = list(
        matching.annotate(total=Window(Count("*"))).values_list("pk", "total")[
            offset : offset + limit
        ]
    )
    if rows:
        return [pk for pk, _n in rows], rows[0][1]
    return [], matching.count() if offset else 0


def _experts_in_order(keys: list[int]) -> QuerySet[Expert]:
    position = Case(
        *[When(pk=key, then=Value(i)) for i, key in enumerate(keys)],
        default=Value(len(keys)),
        output_field=IntegerField(),
    )
    return (
        Expert.objects.filter(pk__in=keys)
        .select_related("practitioner__institution", "practitioner__department")
        .annotate(position=position)
        .order_by("position")
    )


def expert_search_queryset(
    *,
    q: str | None = None,
    department: str | None = None,
    specialty: str | None = None,
    title: str | None = None,
    institution_level: str | None = None,
    service: str | None = None,
) -> QuerySet[Expert]:
    """`expert_search` without the page slice, for counting and paginating."""
    _check_choice("title", title, Title.values)
    _check_choice("institution_level", institution_level, InstitutionLevel.values)
    _check_choice("service", service, Service.values)
    qs = Expert.objects.filter(active=True, practitioner__institution__active=True)
    if department:
        qs = qs.filter(
            Q(practitioner__department__code=department)
            | Q(practitioner__department__code__startswith=f"{department}.")
        )
    if specialty and specialty.strip():
        qs = qs.filter(_text_q(specialty.strip(), "practitioner__specialties"))
    if title:
        qs = qs.filter(practitioner__title=title)
    if institution_level:
        qs = qs.filter(practitioner__institution__level=institution_level)
    if service:
        qs = qs.filter(_accepts_q(service))
    for term in _split_terms(q):
        qs = qs.filter(
            _text_q(
                term,
                "practitioner__name",
                "practitioner__specialties",
                "practitioner__department__name",
                "practitioner__department__name_en",
                "practitioner__institution__name",
                "practitioner__institution__short_name",
            )
        )
    return (
        qs.select_related("practitioner__institution", "practitioner__department")
        .annotate(
            level_rank=level_rank("practitioner__institution__"),
            title_rank=title_rank("practitioner__"),
        )
        .order_by("-level_rank", "-title_rank", "practitioner__name", "pk")
    )


def _accepts_q(service: str) -> Q:
    """`accepts` (a JSON list of codes) holds `service`. PostgreSQL answers with JSON
    containment; SQLite has none, and there the quoted code matches one whole element of
    the stored JSON text."""
    if connection.vendor == "postgresql":
        return Q(accepts__contains=[service])
    return Q(accepts__icontains=f'"{service}"')


def departments() -> QuerySet[Department]:
    return Department.objects.order_by("code")


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
