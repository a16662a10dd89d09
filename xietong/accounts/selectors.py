"""Reads of accounts that other apps need."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.administrators import administered_institution, administers
from xietong.core.errors import NotFound, ValidationFailed
from xietong.core.keys import uuid_or_none

from .models import CLINICAL_ROLES, Membership, Role, User


def member_ids_with_roles(*, institution_id: int | None, roles: Iterable[str]) -> list[int]:
    """The user ids of an institution's active members having any of `roles`, in one query
    (roles are a JSON list, which SQLite cannot search inside: the list is read and
    filtered here)."""
    if institution_id is None:
        return []
    wanted = set(roles)
    return sorted(
        {
            user_id
            for user_id, member_roles in Membership.objects.filter(
                institution_id=institution_id, active=True
            ).values_list("user_id", "roles")
            if wanted.intersection(member_roles or ())
        }
    )


def users_active(*, user_ids: Iterable[int]) -> list[User]:
    """The active users among these ids, by id; unknown ids are left out."""
    return list(User.objects.filter(pk__in=set(user_ids), is_active=True).order_by("pk"))


def user_of(actor: Actor) -> User | None:
    """The account the actor acts with (None once it is deleted)."""
    return User.objects.filter(pk=actor.user_id).first()


def colleagues_of(*, actor: Actor, limit: int = 200) -> list[User]:
    """Active people of the actor's institution, the actor aside: whom one can invite."""
    if actor.institution_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            memberships__institution_id=actor.institution_id,
            memberships__active=True,
        )
        .exclude(pk=actor.user_id)
        .distinct()
        .order_by("display_name", "username")[:limit]
    )


# ---------------------------------------------------------------- people, for administrators
# The administration pages (xietong/administration) read people here. A platform
# administrator manages everyone; an institution administrator the people who have a
# membership at the institution they act for, and only that institution's memberships.

MANAGER_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.INSTITUTION_ADMIN})
# Roles that open patients' data: given to oneself, they wait for a second administrator.
CLINICAL_ROLE_VALUES = frozenset(str(r) for r in CLINICAL_ROLES)


def manages_people(actor: Actor) -> bool:
    """Whether the administration pages are this actor's to open."""
    return administers(actor)


def people_scope(actor: Actor) -> int | None:
    """The institution whose people this administrator manages, or None for every
    institution (a platform administrator). Anyone else may manage nobody."""
    return administered_institution(actor, refusal=_("Only administrators manage people."))


def roles_grantable_by(actor: Actor) -> list[tuple[str, str]]:
    """The roles (value, label) this administrator may give and take away: every role for a
    platform administrator; all but the platform administrator's for an institution's."""
    scope = people_scope(actor)
    return [
        (value, str(label))
        for value, label in Role.choices
        if scope is None or value != Role.PLATFORM_ADMIN
    ]


def role_choices() -> list[tuple[str, str]]:
    """Every role, as (value, label) in the reader's language."""
    return [(value, str(label)) for value, label in Role.choices]


def people_visible_to(actor: Actor) -> QuerySet[User]:
    """The accounts this administrator sees: everyone, or those with a membership (active or
    not) at their institution."""
    scope = people_scope(actor)
    people = User.objects.all()
    if scope is not None:
        people = people.filter(
            pk__in=Membership.objects.filter(institution_id=scope).values("user_id")
        )
    return people


def _memberships_shown() -> Prefetch[str]:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.select_related("institution").order_by("id"),
    )


def people_search(
    *, actor: Actor, q: str = "", institution_id: int | None = None, role: str = ""
) -> QuerySet[User]:
    """People whose name, username or phone holds every word of `q`, with a membership at
    `institution_id` holding `role` (both optional, the same membership when both are
    given), by username, their memberships (and each one's institution) fetched with them:
    three queries for a page, however many people and memberships it shows."""
    if role and role not in Role.values:
        raise ValidationFailed.single("role", _("Select a valid role."))
    people = people_visible_to(actor)
    for term in q.split()[:5]:
        people = people.filter(
            Q(username__icontains=term) | Q(display_name__icontains=term) | Q(phone__icontains=term)
        )
    if institution_id is not None or role:
        held = Membership.objects.all()
        if institution_id is not None:
            held = held.filter(institution_id=institution_id)
        if role:
            # A JSON list: its text holds the role in quotes ('"qc"' is not in '"qc_lead"'),
            # which both SQLite and PostgreSQL can search.
            held = held.filter(roles__icontains=f'"{role}"')
        people = people.filter(pk__in=held.values("user_id"))
    return people.order_by("username").prefetch_related(_memberships_shown())


def get_person_for(*, actor: Actor, user_uuid: object) -> User:
    """One person this administrator sees (NotFound for one missing or out of their sight),
    with their memberships."""
    key = uuid_or_none(user_uuid)
    person = (
        people_visible_to(actor)
        .filter(uuid=key)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related(
                    "institution", "pending_requested_by"
                ).order_by("id"),
            )
        )
        .first()
        if key is not None
        else None
    )
    if person is None:
        raise NotFound(_("There is no such person."))
    return person


def account_governed_by(*, actor: Actor, person: User) -> bool:
    """Whether this administrator may change the person's account itself (name, contact,
    active, password). An institution's administrator may only for someone who belongs to
    their institution alone, is no platform administrator and has no staff account: whoever
    sets a password may sign in as its owner."""
    scope = people_scope(actor)
    if scope is None:
        return True
    if person.is_staff or person.is_superuser:
        return False
    return all(
        m.institution_id == scope and Role.PLATFORM_ADMIN not in (*m.roles, *m.pending_roles)
        for m in person.memberships.all()
    )


def membership_governed_by(*, actor: Actor, membership: Membership) -> bool:
    """Whether this administrator may change or remove this membership: one at their own
    institution holding no role they may not give."""
    scope = people_scope(actor)
    if scope is None:
        return True
    grantable = {value for value, _label in roles_grantable_by(actor)}
    held = {*membership.roles, *membership.pending_roles}
    return membership.institution_id == scope and held <= grantable


def membership_of_person_for(
    *, actor: Actor, user_uuid: object, institution_uuid: object
) -> Membership:
    """A person's membership at one institution, named by their keys (NotFound when the
    person is out of sight or has none there)."""
    person_key, institution_key = uuid_or_none(user_uuid), uuid_or_none(institution_uuid)
    membership = (
        Membership.objects.filter(
            user__in=people_visible_to(actor),
            user__uuid=person_key,
            institution__uuid=institution_key,
        )
        .select_related("user", "institution")
        .first()
        if person_key is not None and institution_key is not None
        else None
    )
    if membership is None:
        raise NotFound(_("There is no such membership."))
    return membership


def memberships_awaiting_for(*, actor: Actor) -> QuerySet[Membership]:
    """Roles waiting on memberships that this administrator may approve (not their own, not
    ones they asked for), at the institutions they manage, longest waiting first."""
    from .memberships import memberships_awaiting_approval_by

    scope = people_scope(actor)
    waiting = memberships_awaiting_approval_by(actor=actor)
    if scope is not None:
        waiting = waiting.filter(institution_id=scope)
    return waiting.select_related("user", "institution", "pending_requested_by").order_by(
        "pending_since", "id"
    )


def memberships_awaiting_count(actor: Actor) -> int | None:
    """The navigation's number: memberships waiting for this administrator (one COUNT)."""
    if not manages_people(actor):
        return None
    return memberships_awaiting_for(actor=actor).count()


def username_taken(username: str) -> bool:
    """Whether an account signs in with this username already, whatever its case."""
    return User.objects.filter(username__iexact=username.strip()).exists()
