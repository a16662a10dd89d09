"""Ad-hoc meetings: a user invites colleagues (users with an account, found in the
directory) to a room of their own — a case discussion, a ward round from a phone. The
organiser and the invitees are admitted until the meeting ends."""

from __future__ import annotations

import uuid as uuid_lib

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xietong.accounts.models import User
from xietong.core.actor import Actor
from xietong.core.audit import audit_record
from xietong.core.errors import Message, NotFound, ValidationFailed

from .access import room_access_register
from .models import Meeting
from .services import room_close

SUBJECT = "meeting"
TITLE_MAX = 200
INVITEES_MAX = 30


def meetings_visible_q(actor: Actor) -> Q:
    return Q(organiser_id=actor.user_id) | Q(invitees__id=actor.user_id)


def _admits(actor: Actor, subject_id: str) -> bool:
    try:
        key = uuid_lib.UUID(str(subject_id))
    except ValueError:
        return False
    return (
        Meeting.objects.filter(meetings_visible_q(actor), uuid=key, ended_at__isnull=True)
        .distinct()
        .exists()
    )


def _title(subject_id: str) -> str:
    meeting = Meeting.objects.filter(uuid=subject_id).first()
    return meeting.title if meeting else ""


def meeting_policy_register() -> None:
    room_access_register(SUBJECT, _admits, title=_title)


def get_meeting_for(*, actor: Actor, meeting_uuid: uuid_lib.UUID | str) -> Meeting:
    meeting = (
        Meeting.objects.filter(meetings_visible_q(actor), uuid=meeting_uuid).distinct().first()
    )
    if meeting is None:
        raise NotFound()
    return meeting


def meeting_create(*, actor: Actor, title: str, invitees: list[uuid_lib.UUID]) -> Meeting:
    errors: dict[str, list[Message]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the meeting a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("At most 200 characters.")]
    own = _own_uuid(actor)
    wanted = {u for u in invitees if u != own}
    users = list(User.objects.filter(uuid__in=wanted, is_active=True))
    if not wanted:
        errors["invitees"] = [_("Invite at least one colleague.")]
    elif len(wanted) > INVITEES_MAX:
        errors["invitees"] = [_("At most 30 colleagues.")]
    elif len(users) != len(wanted):
        errors["invitees"] = [_("Some of the invited colleagues were not found.")]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(title=title, organiser_id=actor.user_id)
        meeting.invitees.set(users)
        audit_record(
            actor=actor,
            action="video.meeting_create",
            resource_type="Meeting",
            resource_id=meeting.uuid,
            detail={"invitees": [str(u.uuid) for u in users]},
        )
    return meeting


def _own_uuid(actor: Actor) -> uuid_lib.UUID | None:
    return User.objects.filter(pk=actor.user_id).values_list("uuid", flat=True).first()


def meeting_end(*, actor: Actor, meeting: Meeting) -> Meeting:
    """Only the organiser ends a meeting; its room closes with it."""
    if meeting.organiser_id != actor.user_id:
        raise NotFound()
    if meeting.ended_at is None:
        with transaction.atomic():
            meeting.ended_at = timezone.now()
            meeting.save(update_fields=["ended_at", "updated_at"])
            audit_record(
                actor=actor,
                action="video.meeting_end",
                resource_type="Meeting",
                resource_id=meeting.uuid,
            )
        room_close(actor=actor, subject_type=SUBJECT, subject_id=str(meeting.uuid))
    return meeting
