"""The institutions pages, for platform administrators: the list (search, filters, pages),
adding one, changing one, and taking one out of use and back, each through the directory's
audited services (directory/services/institutions.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, back_to, posted
from xietong.core.sorting import sorted_rows, sorting_read
from xietong.directory import selectors as directory
from xietong.directory import services as directory_services

from ..forms.institutions import InstitutionFilterForm, InstitutionForm, institution_initial
from ._common import PER_PAGE, PLATFORM_MANAGERS, DirectoryRights, query_without_page

# The columns the list sorts by (core/sorting.py); by default, higher levels first.
COLUMNS = {
    "name": ("name",),
    "code": ("code",),
    "level": ("level_rank",),
    "region": ("region__code",),
}


@actor_view(allowed=PLATFORM_MANAGERS)
def institutions(request: ActorRequest, actor: Actor) -> HttpResponse:
    form = InstitutionFilterForm(request.GET)
    filters = form.filters()
    sorting = sorting_read(request.GET, columns=COLUMNS)
    found = sorted_rows(directory.institutions_managed(**filters), sorting, columns=COLUMNS)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "sorting": sorting,
        "form": form,
        "page": page,
        "total": page.paginator.count,
        "query": query_without_page(request),
        "rights": DirectoryRights.of(actor),
        "filtered": any(value is not None for value in filters.values()),
    }
    if getattr(request, "htmx", False):
        return render(request, "administration/_institution_rows.html", context)
    return render(request, "administration/institutions.html", context)


def _values(form: InstitutionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        name: data.get(name) if name in ("region", "upline") else data.get(name) or ""
        for name in (
            "code", "name", "short_name", "level", "kind", "grade", "region", "upline",
            "address", "phone",
        )
    }  # fmt: skip


@actor_view(allowed=PLATFORM_MANAGERS)
@require_http_methods(["GET", "POST"])
def institution_add(request: ActorRequest, actor: Actor) -> HttpResponse:
    if not DirectoryRights.of(actor).add_institution:
        raise PermissionDenied(_("Your account may not change the directory."))
    form = InstitutionForm(posted(request), initial={"grade": ""})
    if request.method == "POST" and form.is_valid():
        try:
            made = directory_services.institution_create(actor=actor, **_values(form))
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": made.name})
            return redirect("administration:institutions")
    form.options_set(region=None)
    return render(request, "administration/institution_form.html", {"form": form})


def _page(
    request: ActorRequest, actor: Actor, institution: Any, form: InstitutionForm | None = None
) -> HttpResponse:
    rights = DirectoryRights.of(actor)
    if form is None:
        form = InstitutionForm(initial=institution_initial(institution))
    if not rights.change_institution:
        for field in form.fields.values():
            field.disabled = True
    form.options_set(region=institution.region)
    return render(
        request,
        "administration/institution_form.html",
        {"form": form, "institution": institution, "rights": rights},
    )


@actor_view(allowed=PLATFORM_MANAGERS, back=back_to("administration:institution", "uuid"))
@require_http_methods(["GET", "POST"])
def institution(request: ActorRequest, actor: Actor, uuid: UUID) -> HttpResponse:
    found = directory.get_institution(uuid=uuid)
    if request.method == "GET":
        return _page(request, actor, found)
    here = reverse("administration:institution", kwargs={"uuid": found.uuid})
    do = request.POST.get("do", "")
    if do == "save":
        form = InstitutionForm(request.POST)
        if form.is_valid():
            try:
                saved = directory_services.institution_update(
                    actor=actor, institution=found, **_values(form)
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
                return HttpResponseRedirect(here)
        return _page(request, actor, found, form)
    if do == "deactivate":
        directory_services.institution_deactivate(actor=actor, institution=found)
        messages.success(
            request,
            _("%(name)s is out of use: it leaves the directory's lists and pickers.")
            % {"name": found.name},
        )
    elif do == "reactivate":
        directory_services.institution_reactivate(actor=actor, institution=found)
        messages.success(request, _("%(name)s is in use again.") % {"name": found.name})
    else:
        raise Http404
    return HttpResponseRedirect(here)
