"""The region tree: children, breadcrumbs, institution counts, and the regions a picker
finds as the user types."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import NotFound

from ..models import (
    Institution,
    Region,
)
from ._common import _split_terms, _text_q


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


_REGION_LEVEL_RANK = {"province": 5, "city": 4, "county": 3, "township": 2, "village": 1}


def region_search(*, q: str | None, limit: int = 20) -> QuerySet[Region]:
    """Regions whose name holds every term of `q` (a term of digits may instead begin the
    code), higher levels first, then by code; with their parent, as a picker names them."""
    terms = _split_terms(q)
    if not terms:
        return Region.objects.none()
    qs = Region.objects.select_related("parent")
    for term in terms:
        by_name = _text_q(term, "name")
        qs = qs.filter((by_name | Q(code__startswith=term)) if term.isdigit() else by_name)
    rank = Case(
        *[When(level=level, then=Value(n)) for level, n in _REGION_LEVEL_RANK.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    return qs.annotate(level_rank=rank).order_by("-level_rank", "code")[:limit]


def region_by_code(*, code: str) -> Region | None:
    """The region with `code` and its parent, or None (a picker shows what was chosen)."""
    return Region.objects.filter(code=code).select_related("parent").first() if code else None
