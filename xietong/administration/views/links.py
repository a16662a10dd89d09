"""The collaboration links pages, for platform administrators: the list (by institution,
service and whether in use), adding a link, and taking one out of use and back, through the
directory's audited services (directory/services/links.py)."""

from __future__ import annotations

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
from xietong.core.pages import actor_view, posted, safe_next
from xietong.directory import selectors as directory
from xietong.directory import services as directory_services

from ..forms.fields import institution_options
from ..forms.institutions import active_filter
from ..forms.links import LinkAddForm, LinkFilterForm
from ._common import PER_PAGE, PLATFORM_MANAGERS, DirectoryRights, query_without_page


@actor_view(allowed=PLATFORM_MANAGERS)
def links(request: ActorRequest, actor: Actor) -> HttpResponse:
    form = LinkFilterForm(request.GET)
    institution_id, service, active = None, None, None
    if form.is_valid():
        chosen = form.cleaned_data.get("institution")
        institution_id = chosen.pk if chosen is not None else None
        service = form.cleaned_data.get("service") or None
        active = active_filter(form.cleaned_data.get("active"))
    institution_options(form)
    found = directory.collaboration_links_managed(
        institution_id=institution_id, service=service, active=active
    )
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "total": page.paginator.count,
        "query": query_without_page(request),
        "rights": DirectoryRights.of(actor),
        "filtered": any(v is not None for v in (institution_id, service, active)),
        "here": request.get_full_path(),
    }
    if getattr(request, "htmx", False):
        return render(request, "administration/_link_rows.html", context)
    return render(request, "administration/links.html", context)


@actor_view(allowed=PLATFORM_MANAGERS)
@require_http_methods(["GET", "POST"])
def link_add(request: ActorRequest, actor: Actor) -> HttpResponse:
    if not DirectoryRights.of(actor).add_link:
        raise PermissionDenied(_("Your account may not change the directory."))
    form = LinkAddForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link = directory_services.collaboration_link_create(
                actor=actor,
                provider=data["provider"],
                client=data["client"],
                service=data["service"],
                since=data.get("since"),
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(provider)s now serves %(client)s for %(service)s.")
                % {
                    "provider": link.provider.name,
                    "client": link.client.name,
                    "service": link.get_service_display(),
                },
            )
            return redirect(reverse("administration:links") + f"?institution={link.client.uuid}")
    institution_options(form)
    return render(request, "administration/link_add.html", {"form": form})


@actor_view(allowed=PLATFORM_MANAGERS, back="administration:links")
@require_POST
def link_change(
    request: ActorRequest, actor: Actor, provider: UUID, client: UUID, service: str, change: str
) -> HttpResponse:
    act = {
        "deactivate": directory_services.collaboration_link_deactivate,
        "reactivate": directory_services.collaboration_link_reactivate,
    }.get(change)
    if act is None:
        raise Http404
    link = directory.collaboration_link_by_keys(provider=provider, client=client, service=service)
    act(actor=actor, link=link)
    words = {
        "provider": link.provider.name,
        "client": link.client.name,
        "service": link.get_service_display(),
    }
    if change == "deactivate":
        messages.success(
            request, _("%(provider)s no longer serves %(client)s for %(service)s.") % words
        )
    else:
        messages.success(
            request, _("%(provider)s serves %(client)s for %(service)s again.") % words
        )
    return HttpResponseRedirect(safe_next(request, reverse("administration:links")))
