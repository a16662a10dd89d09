"""Account writes. Memberships (memberships.py), administrators' changes to accounts
(people.py), tokens (tokens.py) and the second factor (two_factor.py) have modules of their
own; the membership and account services are named here too."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from xietong.core.audit import audit_record
from xietong.core.errors import NotFound

from .actors import actor_for_membership, membership_choose
from .auditing import account_audit
from .memberships import (
    membership_approve,
    membership_create,
    membership_decline,
    membership_delete,
    membership_update,
)
from .models import Membership, User
from .people import (
    password_reset_record,
    totp_device_remove,
    user_create,
    user_delete,
    user_permissions_set,
    user_update,
)

__all__ = [
    "membership_approve",
    "membership_create",
    "membership_decline",
    "membership_delete",
    "membership_switch",
    "membership_update",
    "password_changed",
    "password_reset_record",
    "totp_device_remove",
    "user_create",
    "user_delete",
    "user_permissions_set",
    "user_update",
]


def membership_switch(*, user: User, membership_id: int | None,
                      current_id: int | None = None) -> Membership:  # fmt: skip
    """The membership the user will act through from now on; audited as that membership."""
    chosen = membership_choose(user=user, membership_id=membership_id)
    if chosen is None or chosen.pk != membership_id:
        raise NotFound(_("That membership is not yours or is no longer active."))
    if chosen.pk != current_id:
        audit_record(
            actor=actor_for_membership(chosen),
            action="membership.switch",
            resource_type="Membership",
            resource_id=chosen.pk,
            detail={"from": current_id},
        )
    return chosen


def password_changed(*, user: User) -> None:
    """Django's form sets the password; this records that it happened, and a temporary
    password set by an administrator is one no more."""
    with transaction.atomic():
        if user.password_change_required:
            user.password_change_required = False
            User.objects.filter(pk=user.pk).update(password_change_required=False)
        account_audit(user=user, action="password.change")
