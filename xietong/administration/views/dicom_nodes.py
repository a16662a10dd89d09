"""The DICOM nodes pages: the list (by AE title, institution, whether in use), registering a
node, changing one, and taking it out of use and back, through the directory's audited
services (directory/services/dicom_nodes.py). A platform administrator manages every
institution's nodes; an institution's administrator their own institution's: the others are
not found (directory/access.py: dicom_nodes_scope)."""

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
from django.views.decorators.http import require_http_methods, require_POST

from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, back_to, posted
from xietong.directory import access as directory_access
from xietong.directory import selectors as directory
from xietong.directory import services as directory_services

from ..forms.dicom_nodes import DicomNodeFilterForm, DicomNodeForm, dicom_node_initial
from ..forms.fields import institution_options
from ..forms.institutions import active_filter
from ._common import MANAGERS, PER_PAGE, DirectoryRights, query_without_page


@actor_view(allowed=MANAGERS)
def dicom_nodes(request: ActorRequest, actor: Actor) -> HttpResponse:
    scope = directory_access.dicom_nodes_scope(actor)
    form = DicomNodeFilterForm(request.GET, pick_institution=scope is None)
    q, institution_id, active = "", scope, None
    if form.is_valid():
        q = form.cleaned_data["q"]
        chosen = form.cleaned_data.get("institution")
        if chosen is not None:
            institution_id = chosen.pk
        active = active_filter(form.cleaned_data.get("active"))
    institution_options(form)
    found = directory.dicom_nodes_managed(institution_id=institution_id, q=q or None, active=active)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "total": page.paginator.count,
        "query": query_without_page(request),
        "rights": DirectoryRights.of(actor),
        "scope_name": actor.institution_name if scope is not None else "",
        "filtered": bool(q) or institution_id != scope or active is not None,
        "here": request.get_full_path(),
    }
    if getattr(request, "htmx", False):
        return render(request, "administration/_dicom_node_rows.html", context)
    return render(request, "administration/dicom_nodes.html", context)


def _fixed_institution(actor: Actor) -> Any | None:
    """The institution an institution's administrator registers nodes for (None: they
    pick)."""
    scope = directory_access.dicom_nodes_scope(actor)
    return None if scope is None else directory.institution_by_id(institution_id=scope)


def _render(
    request: ActorRequest, form: DicomNodeForm, rights: DirectoryRights, **context: Any
) -> HttpResponse:
    institution_options(form)
    return render(
        request,
        "administration/dicom_node_form.html",
        {"form": form, "rights": rights, "fixed_institution": form.fixed_institution, **context},
    )


@actor_view(allowed=MANAGERS)
@require_http_methods(["GET", "POST"])
def dicom_node_add(request: ActorRequest, actor: Actor) -> HttpResponse:
    rights = DirectoryRights.of(actor)
    if not rights.add_dicom_node:
        raise PermissionDenied(_("Your account may not change the directory."))
    form = DicomNodeForm(posted(request), institution=_fixed_institution(actor))
    if request.method == "POST" and form.is_valid():
        try:
            made = directory_services.dicom_node_create(actor=actor, **form.service_values())
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(institution)s may now send studies from %(ae_title)s.")
                % {"institution": made.institution.name, "ae_title": made.ae_title},
            )
            return redirect("administration:dicom_node", uuid=made.uuid)
    return _render(request, form, rights)


@actor_view(allowed=MANAGERS, back=back_to("administration:dicom_node", "uuid"))
@require_http_methods(["GET", "POST"])
def dicom_node(request: ActorRequest, actor: Actor, uuid: UUID) -> HttpResponse:
    scope = directory_access.dicom_nodes_scope(actor)
    found = directory.dicom_node_managed(uuid=uuid, institution_id=scope)
    rights = DirectoryRights.of(actor)
    form = DicomNodeForm(
        posted(request), initial=dicom_node_initial(found), institution=_fixed_institution(actor)
    )
    if not rights.change_dicom_node:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            saved = directory_services.dicom_node_update(
                actor=actor, node=found, **form.service_values()
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("%(ae_title)s was saved.") % {"ae_title": saved.ae_title})
            here = reverse("administration:dicom_node", kwargs={"uuid": saved.uuid})
            return HttpResponseRedirect(here)
    return _render(request, form, rights, node=found)


@actor_view(allowed=MANAGERS, back=back_to("administration:dicom_node", "uuid"))
@require_POST
def dicom_node_change(request: ActorRequest, actor: Actor, uuid: UUID, change: str) -> HttpResponse:
    act = {
        "deactivate": directory_services.dicom_node_deactivate,
        "reactivate": directory_services.dicom_node_reactivate,
    }.get(change)
    if act is None:
        raise Http404
    scope = directory_access.dicom_nodes_scope(actor)
    found = directory.dicom_node_managed(uuid=uuid, institution_id=scope)
    node = act(actor=actor, node=found)
    words = {"ae_title": node.ae_title}
    if change == "deactivate":
        messages.success(request, _("Associations from %(ae_title)s are refused now.") % words)
    else:
        messages.success(request, _("%(ae_title)s may send studies again.") % words)
    return redirect("administration:dicom_node", uuid=node.uuid)
