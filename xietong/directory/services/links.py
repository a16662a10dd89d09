"""Adding collaboration links (a provider institution serves a client institution for one
service) and taking them out of use and back. A platform administrator's work: a link
decides where an institution's patients may be sent. Each change is audited in its
transaction."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, Message, NotFound, ValidationFailed

from ..access import LINK_ADD, LINK_CHANGE, directory_authorize, platform_required
from ..models import CollaborationLink, Institution, Service
from ._common import audit_change

LINK_TO_ITSELF = _("An institution does not serve itself: choose another client institution.")


def _duplicate_message(existing: CollaborationLink) -> Message:
    if existing.active:
        return _("%(provider)s already serves this institution for this service.") % {
            "provider": existing.provider.name
        }
    return _(
        "%(provider)s already has this link, out of use: reactivate it in the list of links."
    ) % {"provider": existing.provider.name}


def _detail(link: CollaborationLink) -> dict[str, object]:
    return {
        "provider": link.provider.code,
        "client": link.client.code,
        "service": link.service,
    }


def _audit(actor: Actor, action: str, link: CollaborationLink, **fields: object) -> None:
    audit_change(actor=actor, action=action, instance=link, detail={**_detail(link), **fields})


def collaboration_link_create(
    *, actor: Actor, provider: Institution | None, client: Institution | None, service: str,
    since: datetime.date | None,
) -> CollaborationLink:  # fmt: skip
    """A new link, in use at once. Refused beside its field: an institution serving itself,
    and a link that exists already (in use or not)."""
    directory_authorize(actor, LINK_ADD)
    platform_required(actor)
    errors: dict[str, list[Message]] = {}
    if provider is None:
        errors["provider"] = [_("Select the institution that provides the service.")]
    if client is None:
        errors["client"] = [_("Select the institution that is served.")]
    if service not in Service.values:
        errors["service"] = [_("Select a service.")]
    if provider is not None and client is not None and provider.pk == client.pk:
        errors["client"] = [LINK_TO_ITSELF]
    if since is not None and since > datetime.date.today():
        errors["since"] = [_("The date a link began cannot be in the future.")]
    if errors:
        raise ValidationFailed(errors)
    assert provider is not None and client is not None
    existing = (
        CollaborationLink.objects.filter(provider=provider, client=client, service=service)
        .select_related("provider")
        .first()
    )
    if existing is not None:
        raise ValidationFailed.single("client", _duplicate_message(existing))
    link = CollaborationLink(provider=provider, client=client, service=service, since=since)
    try:
        with transaction.atomic():
            link.save()
            _audit(actor, "collaboration_link.create", link, since=since and since.isoformat())
    except IntegrityError:  # the same link, added meanwhile by someone else
        raise ValidationFailed.single(
            "client", _("This link was added meanwhile by someone else.")
        ) from None
    return link


def _active_set(actor: Actor, link_id: int, active: bool) -> CollaborationLink:
    directory_authorize(actor, LINK_CHANGE)
    platform_required(actor)
    with transaction.atomic():
        link = (
            # The link's row; its institutions, joined to name them, need no lock.
            CollaborationLink.objects.select_for_update(of=("self",))
            .select_related("provider", "client")
            .filter(pk=link_id)
            .first()
        )
        if link is None:
            raise NotFound(_("There is no such collaboration link."))
        if link.active == active:
            raise Conflict(
                _("The link is in use already.") if active else _("The link is out of use already.")
            )
        link.active = active
        link.save(update_fields=["active"])
        _audit(
            actor,
            "collaboration_link.reactivate" if active else "collaboration_link.deactivate",
            link,
            fields={"active": {"from": not active, "to": active}},
        )
    return link


def collaboration_link_deactivate(*, actor: Actor, link: CollaborationLink) -> CollaborationLink:
    """Takes a link out of use: the client no longer sends requests for the service to the
    provider through it; what was sent stays."""
    return _active_set(actor, link.pk, False)


def collaboration_link_reactivate(*, actor: Actor, link: CollaborationLink) -> CollaborationLink:
    """Puts a link back in use."""
    return _active_set(actor, link.pk, True)
