"""Registering the DICOM nodes an institution sends studies from (its PACS, its modalities),
changing them, and taking them out of use and back. A platform administrator manages every
institution's nodes; an institution's administrator their own institution's (access.py).
The receiver refuses an association from any AE title not registered here and in use
(selectors/dicom.py). Each change is audited in its transaction with the old and new value
of every changed field; everything is validated before anything is written."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from xietong.core.actor import Actor
from xietong.core.errors import Conflict, Message, NotFound, ValidationFailed

from ..access import (
    DICOM_NODE_ADD,
    DICOM_NODE_CHANGE,
    dicom_node_institution_check,
    dicom_nodes_scope,
    directory_authorize,
)
from ..dicom import addresses_parse, ae_title_clean, ae_title_problem
from ..models import DicomNode, Institution
from ._common import audit_change, changed_fields, values_of

DICOM_NODE_FIELDS = ("institution", "ae_title", "addresses", "note")
NOTE_LENGTH_MAX = 200
AE_TITLE_TAKEN = _("This AE title is registered already: each sending node needs its own.")


def _ae_title_taken(existing: DicomNode) -> Message:
    return _("%(institution)s already registered this AE title: each node needs its own.") % {
        "institution": existing.institution.name
    }


def _cleaned(
    node: DicomNode, *, institution: Institution | None, ae_title: str,
    addresses: list[str], note: str,
) -> dict[str, Any]:  # fmt: skip
    """The values to save, or ValidationFailed naming every problem beside its field."""
    errors: dict[str, list[Message]] = {}
    if institution is None:
        errors["institution"] = [_("Select the institution the node belongs to.")]
    title = ae_title_clean(ae_title)
    if problem := ae_title_problem(title):
        errors["ae_title"] = [problem]
    else:
        existing = (
            DicomNode.objects.filter(ae_title=title)
            .exclude(pk=node.pk)
            .select_related("institution")
            .first()
        )
        if existing is not None:
            errors["ae_title"] = [_ae_title_taken(existing)]
    kept, wrong = addresses_parse(a.strip() for a in addresses if a.strip())
    if wrong:
        errors["addresses"] = [
            _("Not an IP address or a network: %(entries)s. Write each as 10.2.3.4 or 10.2.0.0/16.")
            % {"entries": "、".join(wrong)}
        ]
    note = note.strip()
    if len(note) > NOTE_LENGTH_MAX:
        errors["note"] = [_("A note has at most 200 characters.")]
    if errors:
        raise ValidationFailed(errors)
    return {"institution": institution, "ae_title": title, "addresses": kept, "note": note}


def dicom_node_create(
    *, actor: Actor, institution: Institution | None, ae_title: str, addresses: list[str],
    note: str = "",
) -> DicomNode:  # fmt: skip
    """A new node of `institution`, in use at once."""
    directory_authorize(actor, DICOM_NODE_ADD)
    dicom_nodes_scope(actor)
    if institution is not None:
        dicom_node_institution_check(actor, institution.pk)
    node = DicomNode(active=True)
    values = _cleaned(
        node, institution=institution, ae_title=ae_title, addresses=addresses, note=note
    )
    for field, value in values.items():
        setattr(node, field, value)
    try:
        with transaction.atomic():
            node.save()
            audit_change(actor=actor, action="dicom_node.create", instance=node, detail={
                "fields": changed_fields({}, values_of(node, DICOM_NODE_FIELDS)),
            })  # fmt: skip
    except IntegrityError:  # the same title, registered meanwhile by someone else
        node.pk = None
        raise ValidationFailed.single("ae_title", AE_TITLE_TAKEN) from None
    return node


def _locked(actor: Actor, node_id: int) -> DicomNode:
    # The node's own row; its institution, joined to name it, needs no lock. A node of
    # another institution is not found by its administrator.
    qs = DicomNode.objects.select_for_update(of=("self",)).select_related("institution")
    scope = dicom_nodes_scope(actor)
    if scope is not None:
        qs = qs.filter(institution_id=scope)
    found = qs.filter(pk=node_id).first()
    if found is None:
        raise NotFound(_("There is no such DICOM node."))
    return found


def dicom_node_update(
    *, actor: Actor, node: DicomNode, ae_title: str, addresses: list[str], note: str,
    institution: Institution | None = None,
) -> DicomNode:  # fmt: skip
    """Changes a node's title, addresses or note (and, for a platform administrator, its
    institution: None keeps it); nothing is recorded when nothing changed."""
    directory_authorize(actor, DICOM_NODE_CHANGE)
    if institution is not None:
        dicom_node_institution_check(actor, institution.pk)
    try:
        with transaction.atomic():
            stored = _locked(actor, node.pk)
            values = _cleaned(
                stored, institution=institution or stored.institution, ae_title=ae_title,
                addresses=addresses, note=note,
            )  # fmt: skip
            before = values_of(stored, DICOM_NODE_FIELDS)
            for field, value in values.items():
                setattr(stored, field, value)
            changes = changed_fields(before, values_of(stored, DICOM_NODE_FIELDS))
            if not changes:
                return stored
            stored.save()
            audit_change(actor=actor, action="dicom_node.update", instance=stored,
                         detail={"ae_title": stored.ae_title, "fields": changes})  # fmt: skip
    except IntegrityError:
        raise ValidationFailed.single("ae_title", AE_TITLE_TAKEN) from None
    return stored


def _active_set(actor: Actor, node: DicomNode, active: bool) -> DicomNode:
    directory_authorize(actor, DICOM_NODE_CHANGE)
    with transaction.atomic():
        stored = _locked(actor, node.pk)
        if stored.active == active:
            raise Conflict(
                _("The DICOM node is in use already.")
                if active
                else _("The DICOM node is out of use already.")
            )
        stored.active = active
        stored.save(update_fields=["active", "updated_at"])
        audit_change(
            actor=actor,
            action="dicom_node.reactivate" if active else "dicom_node.deactivate",
            instance=stored,
            detail={
                "ae_title": stored.ae_title,
                "fields": {"active": {"from": not active, "to": active}},
            },
        )
    return stored


def dicom_node_deactivate(*, actor: Actor, node: DicomNode) -> DicomNode:
    """Takes a node out of use: its associations are refused from now on; what it sent
    stays."""
    return _active_set(actor, node, False)


def dicom_node_reactivate(*, actor: Actor, node: DicomNode) -> DicomNode:
    """Puts a node back in use."""
    return _active_set(actor, node, True)
