"""The DICOM nodes: the one the receiver asks about when an association comes in, and the
lists the administration pages show. Like the other directory selectors these take no actor
(docs/adr/0006); a page passes the institution its administrator manages."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from xietong.core.errors import NotFound
from xietong.core.keys import uuid_or_none

from ..dicom import address_allowed, ae_title_clean
from ..models import DicomNode
from ._common import _split_terms, _text_q


def dicom_node_for(*, ae_title: str, address: str) -> DicomNode | None:
    """The node in use, of an institution in use, that calls with `ae_title` from `address`
    (an IP address as the socket gives it), with its institution; None when the association
    must be refused. One query."""
    title = ae_title_clean(ae_title)
    if not title:
        return None
    node = (
        DicomNode.objects.select_related("institution")
        .filter(ae_title=title, active=True, institution__active=True)
        .first()
    )
    if node is None or not address_allowed(address, node.addresses):
        return None
    return node


def dicom_nodes_managed(
    *, institution_id: int | None = None, q: str | None = None, active: bool | None = None
) -> QuerySet[DicomNode]:
    """Nodes (of one institution, or all) whose AE title, note or institution's name holds
    every word of `q`, by institution and title, with their institution."""
    qs = DicomNode.objects.select_related("institution")
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    if active is not None:
        qs = qs.filter(active=active)
    for term in _split_terms(q):
        qs = qs.filter(_text_q(term, "ae_title", "note", "institution__name"))
    return qs.order_by("institution__code", "ae_title")


def dicom_node_managed(*, uuid: object, institution_id: int | None = None) -> DicomNode:
    """One node (of `institution_id` when given): NotFound when missing or not theirs to
    manage."""
    key = uuid_or_none(uuid)
    found = (
        dicom_nodes_managed(institution_id=institution_id).filter(uuid=key).first()
        if key is not None
        else None
    )
    if found is None:
        raise NotFound(_("There is no such DICOM node."))
    return found
