"""The practitioners pages: the list (by name or institution), adding a practitioner and
changing one, with their profile in the expert library, through the directory's audited
services (directory/services/practitioners.py). A platform administrator manages every
institution's practitioners; an institution's administrator their own institution's: the
others are not found (directory/access.py: practitioners_scope)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, back_to, posted
from xietong.directory import access as directory_access
from xietong.directory import selectors as directory
from xietong.directory import services as directory_services

from ..forms.fields import institution_options
from ..forms.practitioners import PractitionerFilterForm, PractitionerForm, practitioner_initial
from ._common import MANAGERS, PER_PAGE, DirectoryRights, query_without_page

EXPERT_FIELDS = ("accepting", "accepts", "bio")


@actor_view(allowed=MANAGERS)
def practitioners(request: ActorRequest, actor: Actor) -> HttpResponse:
    scope = directory_access.practitioners_scope(actor)
    form = PractitionerFilterForm(request.GET, pick_institution=scope is None)
    q, institution_id = "", scope
    if form.is_valid():
        q = form.cleaned_data["q"]
        chosen = form.cleaned_data.get("institution")
        if chosen is not None:
            institution_id = chosen.pk
    institution_options(form)
    found = directory.practitioners_managed(institution_id=institution_id, q=q or None)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "total": page.paginator.count,
        "query": query_without_page(request),
        "rights": DirectoryRights.of(actor),
        "scope_name": actor.institution_name if scope is not None else "",
        "filtered": bool(q) or institution_id != scope,
    }
    if getattr(request, "htmx", False):
        return render(request, "administration/_practitioner_rows.html", context)
    return render(request, "administration/practitioners.html", context)


def _fixed_institution(actor: Actor) -> Any | None:
    """The institution an institution's administrator adds practitioners at (None: they
    pick)."""
    scope = directory_access.practitioners_scope(actor)
    return None if scope is None else directory.institution_by_id(institution_id=scope)


def _expert_given(rights: DirectoryRights, *, has_profile: bool) -> bool:
    """Whether the page sends the profile: not when this account may not change it (its
    fields are shown but not sent)."""
    return rights.change_expert if has_profile else rights.add_expert


def _render(
    request: ActorRequest, form: PractitionerForm, rights: DirectoryRights, **context: Any
) -> HttpResponse:
    institution_options(form)
    return render(
        request,
        "administration/practitioner_form.html",
        {"form": form, "rights": rights, "fixed_institution": form.fixed_institution, **context},
    )


def _expert_locked(form: PractitionerForm) -> None:
    for name in EXPERT_FIELDS:
        form.fields[name].disabled = True


@actor_view(allowed=MANAGERS)
@require_http_methods(["GET", "POST"])
def practitioner_add(request: ActorRequest, actor: Actor) -> HttpResponse:
    rights = DirectoryRights.of(actor)
    if not rights.add_practitioner:
        raise PermissionDenied(_("Your account may not change the directory."))
    form = PractitionerForm(posted(request), institution=_fixed_institution(actor))
    with_expert = _expert_given(rights, has_profile=False)
    if not with_expert:
        _expert_locked(form)
    if request.method == "POST" and form.is_valid():
        try:
            made = directory_services.practitioner_create(
                actor=actor,
                **form.service_values(),
                expert=form.expert_profile() if with_expert else None,
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": made.name})
            return redirect("administration:practitioner", uuid=made.uuid)
    return _render(request, form, rights)


@actor_view(allowed=MANAGERS, back=back_to("administration:practitioner", "uuid"))
@require_http_methods(["GET", "POST"])
def practitioner(request: ActorRequest, actor: Actor, uuid: UUID) -> HttpResponse:
    scope = directory_access.practitioners_scope(actor)
    found = directory.practitioner_managed(uuid=uuid, institution_id=scope)
    rights = DirectoryRights.of(actor)
    has_profile = getattr(found, "expert", None) is not None
    form = PractitionerForm(
        posted(request),
        initial=practitioner_initial(found),
        institution=_fixed_institution(actor),
    )
    with_expert = _expert_given(rights, has_profile=has_profile)
    if not rights.change_practitioner:
        for field in form.fields.values():
            field.disabled = True
    elif not with_expert:
        _expert_locked(form)
    if request.method == "POST" and form.is_valid():
        try:
            saved = directory_services.practitioner_update(
                actor=actor,
                practitioner=found,
                **form.service_values(),
                expert=form.expert_profile() if with_expert else None,
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": saved.name})
            here = reverse("administration:practitioner", kwargs={"uuid": saved.uuid})
            return HttpResponseRedirect(here)
    return _render(request, form, rights, practitioner=found, has_profile=has_profile)
