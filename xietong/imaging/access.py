"""Who sees a study: whoever may see its patient (patients/access.py, docs/adr/0013). A
study not yet linked to a patient is seen only by the sending institution's staff who
reconcile studies (link them to patients, or register the patient): until then nobody knows
whose it is, so nobody else may see it. A workflow may share a linked study with those who
take part in it (sharing.py): a consultation's studies with its centre and experts."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from xietong.core.actor import Actor
from xietong.patients.access import REGISTER_ROLES, can_view_patients
from xietong.patients.selectors import patients_visible_to

from .sharing import study_shares

# Those who register patients at their institution link its unmatched studies to them.
RECONCILE_ROLES = REGISTER_ROLES
# Those who send studies into the archive for their institution (by STOW-RS or the page).
STORE_ROLES = REGISTER_ROLES


def can_reconcile(actor: Actor) -> bool:
    return actor.institution_id is not None and actor.has_role(*RECONCILE_ROLES)


def can_store(actor: Actor) -> bool:
    return actor.institution_id is not None and actor.has_role(*STORE_ROLES)


def studies_visible_q(actor: Actor, prefix: str = "") -> Q:
    """A filter on Study (or, with `prefix` "study__", on what points to one) that keeps the
    studies the actor may see."""
    q = Q(pk__in=[])
    if can_view_patients(actor):
        visible = patients_visible_to(actor).filter(pk=OuterRef(f"{prefix}patient_id"))
        q |= Q(Exists(visible))
    if can_reconcile(actor):
        here = actor.institution_id
        q |= Q(**{f"{prefix}patient__isnull": True, f"{prefix}institution_id": here})
    # The studies a workflow the actor takes part in shares with them (sharing.py).
    for share in study_shares():
        q |= Q(**{f"{prefix}pk__in": share(actor)})
    return q
