"""Telling institutions when their patients' records were opened in an emergency (break
the glass): each holding institution's administrators get a notification with who, where
and why, so the use can be reviewed the same day."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from xietong.accounts.models import Membership

from .services import notify

REVIEWER_ROLES = frozenset({"institution_admin"})


def _reviewers(institution_ids: list[int]) -> list[int]:
    rows = Membership.objects.filter(institution_id__in=institution_ids, active=True)
    return sorted(
        {uid for uid, roles in rows.values_list("user_id", "roles") if set(roles) & REVIEWER_ROLES}
    )


def on_break_glass(name: str, payload: dict[str, Any]) -> None:
    holders = [int(i) for i in payload.get("holders") or []]
    if not holders:
        return
    with transaction.atomic():
        notify(
            user_ids=_reviewers(holders),
            kind="patient.break_glass",
            title=_("Emergency access to a patient's record"),
            body=_("%(user)s of %(institution)s opened the record: %(reason)s")
            % {
                "user": payload.get("username", ""),
                "institution": payload.get("institution_name", ""),
                "reason": payload.get("reason", ""),
            },
            subject_type="Patient",
            subject_id=payload.get("patient_uuid", ""),
        )
