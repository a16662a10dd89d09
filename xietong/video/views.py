"""Pages: a subject's video room (camera, microphone, screen, participants, the chat
beside) and the ad-hoc meetings someone organises or is invited to."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from xietong.accounts.selectors import colleagues_of
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotFound, ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view

from . import conf
from .access import room_access_allows, room_subject
from .meetings import SUBJECT as MEETING
from .meetings import get_meeting_for, meeting_create, meeting_end
from .models import Room
from .recording import (
    recording_allowed,
    room_recording_convert_retry,
    room_recording_start,
    room_recording_stop,
)
from .selectors import meetings_for


def page_strings() -> dict[str, str]:
    """What the room's script says, in the user's language."""
    return {
        "connecting": gettext("Connecting…"),
        "waiting": gettext("Waiting for the others to join."),
        "connected": gettext("Connected."),
        "dropped": gettext("The connection dropped. Rejoin to continue."),
        "left": gettext("You left the call."),
        "failed": gettext("The video could not connect. Try rejoining."),
        "no_camera": gettext("No camera or microphone is available; you can still watch."),
        "mute": gettext("Mute"),
        "unmute": gettext("Unmute"),
        "camera_off": gettext("Camera off"),
        "camera_on": gettext("Camera on"),
        "share": gettext("Share screen"),
        "stop_share": gettext("Stop sharing"),
        "speaking": gettext("speaking"),
        "muted": gettext("muted"),
        "you": gettext("You"),
        "recording": gettext("Recording: everyone in the call is being recorded."),
    }


@actor_view
def room_page(
    request: ActorRequest, actor: Actor, subject_type: str, subject_id: str
) -> HttpResponse:
    if not room_access_allows(actor, subject_type, subject_id):
        raise NotFound()
    subject = room_subject(subject_type)
    assert subject is not None  # allowed above, so registered
    title = subject.title(subject_id) if subject.title else ""
    chat = subject.chat(actor, subject_id) if subject.chat else None
    room = Room.objects.filter(
        subject_type=subject_type, subject_id=subject_id, closed_at__isnull=True
    ).first()
    join_url = reverse(
        "api:video_room_join", kwargs={"subject_type": subject_type, "subject_id": subject_id}
    )
    return render(
        request,
        "video/room.html",
        {
            "title": title,
            "chat_thread": chat,
            "join_url": join_url,
            "janus": bool(conf.janus_url()),
            "strings": page_strings(),
            "room": room,
            "may_record": room is not None and recording_allowed(room),
            "recording_url": reverse(
                "video:recording", kwargs={"subject_type": subject_type, "subject_id": subject_id}
            ),
        },
    )


@actor_view
def meetings_page(request: ActorRequest, actor: Actor) -> HttpResponseBase:
    errors: dict[str, list[Any]] = {}
    form = {"title": "", "invitees": []}
    if request.method == "POST":
        form = {
            "title": request.POST.get("title", ""),
            "invitees": request.POST.getlist("invitees"),
        }
        try:
            invitees = [uuid.UUID(v) for v in form["invitees"]]
        except ValueError:
            invitees = []
            errors["invitees"] = [_invalid()]
        if not errors:
            try:
                meeting = meeting_create(actor=actor, title=str(form["title"]), invitees=invitees)
            except ValidationFailed as exc:
                errors = {k: list(v) for k, v in exc.fields.items()}
            else:
                return redirect("video:room", subject_type=MEETING, subject_id=meeting.uuid)
    return render(
        request,
        "video/meetings.html",
        {
            "meetings": meetings_for(actor=actor),
            "colleagues": colleagues_of(actor=actor),
            "form": form,
            "errors": errors,
            "me": actor.user_id,
        },
        status=422 if errors else 200,
    )


def _invalid() -> str:
    return gettext("Some of the invited colleagues were not found.")


@actor_view
def meeting_end_view(
    request: ActorRequest, actor: Actor, meeting_uuid: uuid.UUID
) -> HttpResponseBase:
    if request.method != "POST":
        return redirect("video:meetings")
    meeting = get_meeting_for(actor=actor, meeting_uuid=meeting_uuid)
    meeting_end(actor=actor, meeting=meeting)
    return redirect("video:meetings")


@actor_view
def recording_view(
    request: ActorRequest, actor: Actor, subject_type: str, subject_id: str
) -> HttpResponseBase:
    """POST action=start|stop|retry: the room's recording (consent checked by the service);
    retry converts again what a failed conversion left."""
    back = reverse("video:room", kwargs={"subject_type": subject_type, "subject_id": subject_id})
    if request.method != "POST":
        return redirect(back)
    room = Room.objects.filter(
        subject_type=subject_type, subject_id=subject_id, closed_at__isnull=True
    ).first()
    if room is None or not room_access_allows(actor, subject_type, subject_id):
        raise NotFound()
    try:
        action = request.POST.get("action")
        if action == "stop":
            room_recording_stop(actor=actor, room=room)
            messages.info(
                request, gettext("The recording is being converted; it is kept with the room.")
            )
        elif action == "retry":
            room_recording_convert_retry(actor=actor, room=room)
        else:
            room_recording_start(actor=actor, room=room)
    except Conflict as exc:
        messages.error(request, str(exc.message))
    return redirect(back)
