"""Who may read which part of the audit log.

Platform administrators read all of it; a supervisor reads the events of institutions in
their region (and below); an institution administrator reads their own institution's.
Everyone else reads none of it, and is answered as if the page did not exist."""

from __future__ import annotations

from django.db.models import Q

from .actor import Actor

AUDIT_READER_ROLES = frozenset({"platform_admin", "supervisor", "institution_admin"})


def audit_log_scope(actor: Actor | None) -> Q | None:
    """The events `actor` may read, as a filter; None when they may read none."""
    if actor is None:
        return None
    if actor.is_platform_admin:
        return Q()
    scope: Q | None = None
    # An empty region path would match every event; such an actor gets no regional view.
    if "supervisor" in actor.roles and actor.region_path:
        scope = Q(region_path__startswith=actor.region_path)
    if "institution_admin" in actor.roles and actor.institution_id is not None:
        own = Q(institution_id=actor.institution_id)
        scope = own if scope is None else scope | own
    return scope


def audit_log_readable_by(actor: Actor | None) -> bool:
    return audit_log_scope(actor) is not None


def audit_chain_verifiable_by(actor: Actor | None) -> bool:
    """Verifying walks the whole chain, every institution's events: platform admins only."""
    return actor is not None and actor.is_platform_admin
