"""The exchange gateways page: every hospital's gateway with its last heartbeat, registering
one (its secret shown on that one page, never again), and revoking one, through the exchange
app's audited services (exchange/gateways.py). Platform administrators only."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, posted
from xietong.exchange import gateways as exchange
from xietong.exchange.outgoing.selectors import outgoing_stuck_count

from ..forms.gateways import GatewayForm
from ._common import PLATFORM_MANAGERS


@actor_view(allowed=PLATFORM_MANAGERS)
def gateways(request: ActorRequest, actor: Actor) -> HttpResponse:
    listed = list(exchange.gateways_listed(actor=actor))
    stuck = outgoing_stuck_count(actor=actor)  # pushes to hospitals not getting through
    return render(request, "administration/gateways.html", {"gateways": listed, "stuck": stuck})


@never_cache  # the answer holds the secret: no copy of it kept on the way
@actor_view(allowed=PLATFORM_MANAGERS)
@require_http_methods(["GET", "POST"])
def gateway_add(request: ActorRequest, actor: Actor) -> HttpResponse:
    form = GatewayForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            gateway, secret = exchange.gateway_register(
                actor=actor,
                institution_id=form.cleaned_data["institution"].pk,
                name=form.cleaned_data["name"],
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            return render(
                request, "administration/gateway_secret.html",
                {"gateway": gateway, "secret": secret},
            )  # fmt: skip
    form.fields["institution"].options_set(  # type: ignore[attr-defined]
        selected=form.cleaned_data.get("institution") if form.is_bound and form.is_valid() else None
    )
    return render(request, "administration/gateway_form.html", {"form": form})


@actor_view(allowed=PLATFORM_MANAGERS)
@require_POST
def gateway_revoke(request: ActorRequest, actor: Actor, uuid: UUID) -> HttpResponse:
    gateway = exchange.gateway_revoke(actor=actor, gateway_uuid=uuid)
    messages.success(
        request, _("%(name)s is revoked: its next call is refused.") % {"name": gateway.name}
    )
    return redirect("administration:gateways")


@never_cache  # the answer holds the secret: no copy of it kept on the way
@actor_view(allowed=PLATFORM_MANAGERS)
@require_POST
def gateway_secret_renew(request: ActorRequest, actor: Actor, uuid: UUID) -> HttpResponse:
    try:
        gateway, secret = exchange.gateway_secret_renew(actor=actor, gateway_uuid=uuid)
    except ValidationFailed as exc:
        messages.error(request, " ".join(str(m) for ms in exc.fields.values() for m in ms))
        return redirect("administration:gateways")
    return render(
        request, "administration/gateway_secret.html", {"gateway": gateway, "secret": secret}
    )
