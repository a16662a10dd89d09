"""The expert library: search with filters, ordered by level and title, paged by keys."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When, Window

from ..models import (
    Expert,
    InstitutionLevel,
    Service,
    Title,
)
from ._common import _check_choice, _split_terms, _text_q, level_rank, title_rank


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


def experts_by_practitioner(*, keys: list[UUID]) -> dict[UUID, Expert]:
    """The experts among these practitioner keys, by key (a key that names no expert is
    left out: the caller says which it did not find)."""
    found = Expert.objects.filter(practitioner__uuid__in=keys).select_related(
        "practitioner__user", "practitioner__institution"
    )
    return {e.practitioner.uuid: e for e in found}


def active_expert_by_practitioner(*, uuid: UUID | str) -> Expert | None:
    """The expert this practitioner is, while they accept requests (None otherwise)."""
    return Expert.objects.filter(practitioner__uuid=uuid, active=True).first()
