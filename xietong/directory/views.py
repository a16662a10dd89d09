"""The directory's pages: the institution browser, an institution, the expert library.
Every signed-in user may read them; nothing here is patient data."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import render

from xietong.core.http import ActorRequest

from . import selectors
from .forms import ExpertSearchForm, InstitutionFilterForm
from .models import InstitutionLevel

INSTITUTIONS_PER_PAGE = 25
EXPERTS_PER_PAGE = 20


def _page_number(request: ActorRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _query_without_page(request: ActorRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def institutions(request: ActorRequest) -> HttpResponse:
    code = request.GET.get("region", "").strip()
    region = selectors.get_region(code=code) if code else None
    children = list(selectors.region_children(parent=region))
    counts = selectors.region_institution_counts(children=children)
    form = InstitutionFilterForm(request.GET)
    found = selectors.institutions_in_region(region=region, **form.filters())
    level_counts = selectors.institution_level_counts(found)
    page = Paginator(found, INSTITUTIONS_PER_PAGE).get_page(_page_number(request))
    return render(
        request,
        "directory/institutions.html",
        {
            "region": region,
            "breadcrumbs": selectors.region_breadcrumbs(region=region) if region else [],
            "children": [(child, counts.get(child.pk, 0)) for child in children],
            "form": form,
            "page": page,
            "total": page.paginator.count,
            "level_counts": [
                (label, level_counts[value])
                for value, label in InstitutionLevel.choices
                if level_counts.get(value)
            ],
            "query": _query_without_page(request),
        },
    )


@login_required
def institution(request: ActorRequest, uuid: UUID) -> HttpResponse:
    inst = selectors.get_institution(uuid=uuid)
    return render(
        request,
        "directory/institution.html",
        {
            "institution": inst,
            "breadcrumbs": selectors.region_breadcrumbs(region=inst.region),
            "departments": selectors.institution_departments(institution=inst),
            "experts": list(selectors.institution_experts(institution=inst)),
            "links": selectors.institution_links(institution=inst),
        },
    )


@login_required
def experts(request: ActorRequest) -> HttpResponse:
    form = ExpertSearchForm(request.GET)
    filters = form.filters()
    number = _page_number(request)
    found = selectors.expert_search_page(
        **filters, limit=EXPERTS_PER_PAGE, offset=(number - 1) * EXPERTS_PER_PAGE
    )
    # Only the page numbers come from the paginator; the selector fetched the page itself.
    paginator: Paginator[Any] = Paginator(range(found.total), EXPERTS_PER_PAGE)
    if not found.experts and number > paginator.num_pages:
        # Past the end (an old link after the filters changed): show the last page.
        number = paginator.num_pages
        found = selectors.expert_search_page(
            **filters, limit=EXPERTS_PER_PAGE, offset=(number - 1) * EXPERTS_PER_PAGE
        )
    page = Page(found.experts, number, paginator)
    context = {
        "form": form,
        "page": page,
        "total": page.paginator.count,
        "query": _query_without_page(request),
    }
    # HTMX asks for the results only while the person types; a full load gets the page.
    template = (
        "directory/_expert_results.html"
        if getattr(request, "htmx", False)
        else "directory/experts.html"
    )
    return render(request, template, context)
