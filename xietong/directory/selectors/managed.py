"""What the administration pages list and open: every institution, practitioner and link,
those out of use too (the browsing selectors leave those out). Each list is one query for
its page whatever it shows: the rows' related institutions, regions, departments and
profiles come joined. Like the other selectors these take no actor (docs/adr/0006); a page
passes the institution its administrator manages."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import NotFound
from xietong.core.keys import uuid_or_none

from ..models import (
    CollaborationLink,
    Institution,
    InstitutionKind,
    InstitutionLevel,
    Practitioner,
    Service,
)
from ._common import _check_choice, _split_terms, _text_q, level_rank

# The regions an institution's form offers: a province has a few hundred of these, while
# its townships and villages run to thousands (those come with a region search).


def institutions_managed(
    *, q: str | None = None, level: str | None = None, kind: str | None = None,
    active: bool | None = None,
) -> QuerySet[Institution]:  # fmt: skip
    """Institutions whose name, short name or code holds every word of `q`, higher levels
    first, with their region and upline."""
    _check_choice("level", level, InstitutionLevel.values)
    _check_choice("kind", kind, InstitutionKind.values)
    qs = Institution.objects.select_related("region", "upline")
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(active=active)
    for term in _split_terms(q):
        qs = qs.filter(_text_q(term, "name", "short_name", "code"))
    return qs.annotate(level_rank=level_rank()).order_by("-level_rank", "code")


def practitioners_managed(
    *, institution_id: int | None = None, q: str | None = None
) -> QuerySet[Practitioner]:
    """Practitioners (of one institution, or all) whose name, or institution's name or
    short name, holds every word of `q`, by name, with their institution, department and
    expert profile."""
    qs = Practitioner.objects.select_related("institution", "department", "expert")
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    for term in _split_terms(q):
        qs = qs.filter(_text_q(term, "name", "institution__name", "institution__short_name"))
    return qs.order_by("name", "pk")


def practitioner_managed(*, uuid: object, institution_id: int | None = None) -> Practitioner:
    """One practitioner (of `institution_id` when given): NotFound when missing or not
    theirs to manage."""
    key = uuid_or_none(uuid)
    found = (
        practitioners_managed(institution_id=institution_id).filter(uuid=key).first()
        if key is not None
        else None
    )
    if found is None:
        raise NotFound(_("There is no such practitioner."))
    return found


def collaboration_links_managed(
    *, institution_id: int | None = None, service: str | None = None,
    active: bool | None = None,
) -> QuerySet[CollaborationLink]:  # fmt: skip
    """Links in which `institution_id` provides or is served, for `service`: higher
    providers first, then by the provider's and the client's code."""
    _check_choice("service", service, Service.values)
    qs = CollaborationLink.objects.select_related("provider", "client")
    if institution_id is not None:
        qs = qs.filter(Q(provider_id=institution_id) | Q(client_id=institution_id))
    if service:
        qs = qs.filter(service=service)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.annotate(level_rank=level_rank("provider__")).order_by(
        "-level_rank", "provider__code", "client__code", "service"
    )


def collaboration_link_by_keys(
    *, provider: object, client: object, service: str
) -> CollaborationLink:
    """The link of `provider` serving `client` for `service`, named by the institutions'
    keys (a link has none of its own: these three name it once)."""
    provider_key, client_key = uuid_or_none(provider), uuid_or_none(client)
    found = (
        CollaborationLink.objects.select_related("provider", "client")
        .filter(provider__uuid=provider_key, client__uuid=client_key, service=service)
        .first()
        if provider_key is not None and client_key is not None
        else None
    )
    if found is None:
        raise NotFound(_("There is no such collaboration link."))
    return found
