"""The region tree: children, breadcrumbs, institution counts."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import NotFound

from ..models import (
    Institution,
    Region,
)


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
