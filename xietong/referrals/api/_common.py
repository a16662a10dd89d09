"""What the referral operations share: the router, the refusals a step declares, the slot
and institution lookups, and the answer to a step."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from xietong.core.api import ErrorOut
from xietong.core.errors import NotFound, ValidationFailed
from xietong.core.http import ApiRequest
from xietong.directory.selectors import get_institution
from xietong.scheduling.selectors import get_slot
from xietong.scheduling.services import SlotTaken

from ..models import Referral
from ..schemas import detail_out
from ..selectors import referral_as_changed
from ..services import referral_actions, referral_held

if TYPE_CHECKING:
    from xietong.directory.models import Institution
    from xietong.scheduling.models import Slot

router = Router(tags=["referrals"])
# A step's refusals: not visible (404), a role that never takes the step (403), not this
# party or state now (409), bad input (422).
ACT = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ReferralSlotOut(Schema):
    uuid: UUID
    start: dt.datetime
    end: dt.datetime
    department: str | None
    examination_type: str
    places_left: int


def slot_out(s: Slot) -> dict[str, Any]:
    return {
        "uuid": s.uuid,
        "start": s.start,
        "end": s.end,
        "department": s.department.name if s.department else None,
        "examination_type": s.examination_type,
        "places_left": s.places_left,
    }


def slot_taken(exc: SlotTaken) -> Status[dict[str, Any]]:
    return Status(
        409,
        {
            "code": exc.code,
            "message": str(exc.message),
            "alternatives": [slot_out(s) for s in exc.alternatives],
        },
    )


def institution_of(key: UUID | None, field: str) -> Institution | None:
    if key is None:
        return None
    try:
        return get_institution(uuid=key)
    except NotFound:
        raise ValidationFailed.single(field, _("Unknown institution.")) from None


def slot_of(key: UUID | None) -> Slot | None:
    if key is None:
        return None
    try:
        return get_slot(slot_uuid=key)
    except NotFound:
        raise ValidationFailed.single("slot", _("Unknown time slot.")) from None


def to_act_on(request: ApiRequest, referral_uuid: UUID) -> AbstractContextManager[Referral]:
    """The referral a step changes, read and locked once for the block (the step's
    transaction); the write is audited, not a read."""
    return referral_held(actor=request.auth, referral_uuid=referral_uuid)


def answer(request: ApiRequest, changed: Referral, seen: Referral | None = None) -> dict[str, Any]:
    """The referral as the step left it, with what the caller may do next: answered from
    what the step holds, not read again (one who let go of it gets what it became)."""
    r = referral_as_changed(changed=changed, seen=seen) if seen is not None else changed
    return detail_out(r, actions=referral_actions(actor=request.auth, referral=r))
