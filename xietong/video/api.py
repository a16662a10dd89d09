"""/api/v1/video: joining a subject's room (a short-lived credential for the signalling
WebSocket, and TURN servers), and ad-hoc meetings."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Field, Router, Schema, Status

from xietong.core.api import ErrorOut
from xietong.core.http import ApiRequest
from xietong.core.inputs import text

from .binding import binding_for_request
from .meetings import INVITEES_MAX, TITLE_MAX, get_meeting_for, meeting_create, meeting_end
from .models import Meeting
from .selectors import meetings_for
from .services import JoinTicket, room_join

router = Router(tags=["video"])


class IceServerOut(Schema):
    urls: list[str]
    username: str
    credential: str


class JoinOut(Schema):
    room: uuid.UUID
    mode: str
    title: str
    credential: str
    expires_at: dt.datetime
    signalling: str
    ice_servers: list[IceServerOut]

    @staticmethod
    def from_ticket(ticket: JoinTicket) -> JoinOut:
        return JoinOut(
            room=ticket.room.uuid,
            mode=ticket.room.mode,
            title=ticket.room.title,
            credential=ticket.credential,
            expires_at=ticket.expires_at,
            signalling=f"/ws/video/{ticket.room.uuid}/",
            ice_servers=[
                IceServerOut(urls=s.urls, username=s.username, credential=s.credential)
                for s in ticket.ice_servers
            ],
        )


class MeetingIn(Schema):
    title: str = text(most=TITLE_MAX, required=True, checked=True)
    invitees: list[uuid.UUID] = Field([], json_schema_extra={"maxItems": INVITEES_MAX})


class MeetingOut(Schema):
    uuid: uuid.UUID
    title: str
    organiser: str
    invitees: list[str]
    created_at: dt.datetime
    ended_at: dt.datetime | None

    @staticmethod
    def from_meeting(m: Meeting) -> MeetingOut:
        return MeetingOut(
            uuid=m.uuid,
            title=m.title,
            organiser=str(m.organiser),
            invitees=[str(u) for u in m.invitees.all()],
            created_at=m.created_at,
            ended_at=m.ended_at,
        )


@router.post(
    "/rooms/{subject_type}/{subject_id}/join",
    response={200: JoinOut, 404: ErrorOut, 409: ErrorOut},
)
def video_room_join(request: ApiRequest, subject_type: str, subject_id: str) -> JoinOut:
    """Opens the subject's room if needed. Connect to `signalling` (WebSocket) with
    `?credential=` before `expires_at`, from the same browser session, or presenting the
    same bearer token in the socket's Authorization header; 409 when the video server is
    unavailable."""
    ticket = room_join(
        actor=request.auth,
        subject_type=subject_type,
        subject_id=subject_id,
        # Only this session (or this API token) may present the credential.
        binding=binding_for_request(request=request),
    )
    return JoinOut.from_ticket(ticket)


@router.get("/meetings", response={200: list[MeetingOut]})
def video_meeting_list(request: ApiRequest) -> list[MeetingOut]:
    return [MeetingOut.from_meeting(m) for m in meetings_for(actor=request.auth)]


@router.post("/meetings", response={201: MeetingOut, 422: ErrorOut})
def video_meeting_create(request: ApiRequest, payload: MeetingIn) -> Status[MeetingOut]:
    meeting = meeting_create(actor=request.auth, title=payload.title, invitees=payload.invitees)
    return Status(201, MeetingOut.from_meeting(meeting))


@router.post("/meetings/{meeting_uuid}/end", response={200: MeetingOut, 404: ErrorOut})
def video_meeting_end(request: ApiRequest, meeting_uuid: uuid.UUID) -> MeetingOut:
    meeting = get_meeting_for(actor=request.auth, meeting_uuid=meeting_uuid)
    return MeetingOut.from_meeting(meeting_end(actor=request.auth, meeting=meeting))
