"""Who may change the directory: institutions, practitioners with their expert profiles, and
collaboration links. Browsing it needs no right (docs/adr/0006); changing it does, because it
decides where patients are sent and whose consultations an expert opens.

Asked as data (core/administrators.py): the account's Django model permissions, the same the
admin site checks, and the administrator role of the membership one acts through. A platform
administrator changes every institution and link; an institution's administrator the
practitioners and the DICOM nodes of their own institution only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.administrators import (
    PLATFORM_ADMIN,
    account_authorize,
    account_permissions,
    administered_institution,
)
from xietong.core.errors import NotPermitted

INSTITUTION_ADD = "directory.add_institution"
INSTITUTION_CHANGE = "directory.change_institution"
PRACTITIONER_ADD = "directory.add_practitioner"
PRACTITIONER_CHANGE = "directory.change_practitioner"
EXPERT_ADD = "directory.add_expert"
EXPERT_CHANGE = "directory.change_expert"
LINK_ADD = "directory.add_collaborationlink"
LINK_CHANGE = "directory.change_collaborationlink"
DICOM_NODE_ADD = "directory.add_dicomnode"
DICOM_NODE_CHANGE = "directory.change_dicomnode"
DIRECTORY_PERMISSIONS = (
    INSTITUTION_ADD,
    INSTITUTION_CHANGE,
    PRACTITIONER_ADD,
    PRACTITIONER_CHANGE,
    EXPERT_ADD,
    EXPERT_CHANGE,
    LINK_ADD,
    LINK_CHANGE,
    DICOM_NODE_ADD,
    DICOM_NODE_CHANGE,
)

MAY_NOT_CHANGE = _("Your account may not change the directory.")
PLATFORM_ONLY = _("Only a platform administrator changes institutions and collaboration links.")
NOT_YOUR_PRACTITIONER = _("You manage the practitioners of your own institution only.")


def directory_authorize(actor: Actor, permission: str) -> None:
    """NotPermitted unless the acting administrator's account holds `permission`."""
    account_authorize(actor, permission, refusal=MAY_NOT_CHANGE)


def directory_permissions(actor: Actor) -> frozenset[str]:
    """Which of DIRECTORY_PERMISSIONS the acting administrator's account holds."""
    return account_permissions(actor, DIRECTORY_PERMISSIONS)


def platform_administers(actor: Actor) -> bool:
    """Whether the institutions' and links' pages are this actor's to open."""
    return actor.has_role(PLATFORM_ADMIN)


def platform_required(actor: Actor) -> None:
    if not platform_administers(actor):
        raise NotPermitted(PLATFORM_ONLY)


def practitioners_scope(actor: Actor) -> int | None:
    """The institution whose practitioners this administrator manages, or None for all."""
    return administered_institution(actor, refusal=_("Only administrators manage practitioners."))


def practitioner_institution_check(actor: Actor, institution_id: int) -> None:
    """NotPermitted when the institution is not one whose practitioners the actor manages."""
    scope = practitioners_scope(actor)
    if scope is not None and scope != institution_id:
        raise NotPermitted(NOT_YOUR_PRACTITIONER)


NOT_YOUR_DICOM_NODE = _("You manage the DICOM nodes of your own institution only.")


def dicom_nodes_scope(actor: Actor) -> int | None:
    """The institution whose DICOM nodes this administrator manages, or None for all."""
    return administered_institution(actor, refusal=_("Only administrators manage DICOM nodes."))


def dicom_node_institution_check(actor: Actor, institution_id: int) -> None:
    """NotPermitted when the institution is not one whose DICOM nodes the actor manages."""
    scope = dicom_nodes_scope(actor)
    if scope is not None and scope != institution_id:
        raise NotPermitted(NOT_YOUR_DICOM_NODE)
