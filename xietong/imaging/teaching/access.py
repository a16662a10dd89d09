"""Who makes teaching files and who sees them. A teaching file names no patient, so it is
not bound to a patient's care: the clinicians of the institution that made it see it, and
so do the lecturers and course reviewers of the platform, who build courses from them."""

from __future__ import annotations

from django.db.models import Q

from xietong.accounts.models import Role
from xietong.core.actor import Actor
from xietong.patients.access import VIEW_ROLES, can_view_patients

EDUCATION_ROLES = (Role.LECTURER, Role.COURSE_REVIEWER)
# Who finds the teaching files in the navigation (can_see_teaching_files, as roles).
TEACHING_NAV_ROLES = frozenset({*VIEW_ROLES, *EDUCATION_ROLES})


def can_make_teaching_files(actor: Actor) -> bool:
    """Whoever may see patients' studies may copy one they were shown for teaching."""
    return can_view_patients(actor)


def can_see_teaching_files(actor: Actor) -> bool:
    return can_view_patients(actor) or actor.has_role(*EDUCATION_ROLES)


def teaching_files_visible_q(actor: Actor) -> Q:
    if actor.has_role(*EDUCATION_ROLES):
        return Q()
    if can_view_patients(actor):
        return Q(institution_id=actor.institution_id)
    return Q(pk__in=[])
