"""ws/video/<room>/?credential=…: a room's signalling.

The join credential (credentials.py) admits the socket if it is presented from the session
or with the API token it was issued to (binding.py); a signed-in page's session must also
belong to the same user. In the embedded mode the socket relays SDP and ICE between the
browsers in the room; with Janus it drives the participant's Janus session (relay.py).
Refused sockets are accepted and closed with 4403 so that the page sees why. Signing out
closes the session's socket (4401, core/sockets.py), and someone who loses the room's
subject (a revoked grant) is asked to leave (4403)."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from xietong.accounts.actors import actor_for_user
from xietong.accounts.models import User
from xietong.core.actor import Actor
from xietong.core.errors import DomainError
from xietong.core.sockets import ActorConsumer

from .access import room_access_allows
from .binding import binding_for_scope
from .credentials import join_credential_check
from .janus import JanusUnavailable, janus_client
from .live import video_user_group
from .models import CallSession, Room, RoomMode
from .relay import JanusParticipant
from .selectors import get_open_room
from .services import call_begin, call_end, call_report

CLOSE_UNAVAILABLE = 4503


def _admit(scope: dict[str, Any], room_uuid: str, credential: str) -> tuple[Actor, Room, str]:
    room = get_open_room(room_uuid)
    actor = join_credential_check(
        credential=credential, room=room, binding=binding_for_scope(scope=scope)
    )
    user = scope.get("user")
    if isinstance(user, User) and user.is_authenticated and user.pk != actor.user_id:
        raise DomainError("credential of another user")
    name = str(User.objects.get(pk=actor.user_id))
    return actor, room, name


def _still_admitted(*, actor: Actor, room: Room) -> bool:
    """Asked when someone's access changed: the user and membership as they are now."""
    user = User.objects.filter(pk=actor.user_id, is_active=True).first()
    now = actor_for_user(user=user, membership_id=actor.membership_id) if user else None
    return now is not None and room_access_allows(now, room.subject_type, room.subject_id)


class RoomConsumer(ActorConsumer):
    """Admitted by the join credential rather than by the session alone (an API client
    has none); the rest (refusals, signing out) is the base's."""

    room: Room | None = None
    call: CallSession | None = None
    janus: JanusParticipant | None = None
    group = ""
    peer = ""
    name = ""
    left = False

    async def connect(self) -> None:
        room_uuid = str(self.scope["url_route"]["kwargs"]["room_uuid"])
        query = parse_qs(self.scope.get("query_string", b"").decode())
        credential = (query.get("credential") or [""])[0]
        await self.accept()
        try:
            self.actor, self.room, self.name = await database_sync_to_async(_admit)(
                self.scope, room_uuid, credential
            )
        except DomainError as exc:
            await self.send_json({"type": "refused", "message": str(exc.message)})
            await self.refuse()
            return
        self.call = await database_sync_to_async(call_begin)(actor=self.actor, room=self.room)
        self.peer = secrets.token_hex(6)
        self.group = f"video.{self.room.uuid.hex}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.channel_layer.group_add(video_user_group(self.actor.user_id), self.channel_name)
        await self.session_join()
        if self.room.mode == RoomMode.JANUS:
            await self._janus_join()
        else:
            await self.send_json(
                {"type": "welcome", "mode": "embedded", "me": self.peer, "name": self.name}
            )
        await self._broadcast({"kind": "peer", "state": "joined"})

    async def _janus_join(self) -> None:
        assert self.room is not None and self.room.janus_room is not None
        client = janus_client()
        try:
            if client is None:
                raise JanusUnavailable("not configured")
            self.janus = JanusParticipant(
                client,
                room=self.room.janus_room,
                pin=self.room.pin,
                display=self.name,
                on_event=self._janus_event,
            )
            publishers = await self.janus.join()
        except JanusUnavailable:
            await self._unavailable()
            return
        await self.send_json(
            {
                "type": "welcome",
                "mode": "janus",
                "recording": self.room.recording_since is not None,
                "me": self.peer,
                "name": self.name,
                "feed": self.janus.feed_id,
                "publishers": publishers,
            }
        )

    async def _unavailable(self) -> None:
        await self._report(failure=True)
        await self.send_json(
            {
                "type": "unavailable",
                "message": _("The video server is not available right now; the chat still works."),
            }
        )
        await self.close(code=CLOSE_UNAVAILABLE)

    async def disconnect(self, code: int) -> None:
        await self._depart(dropped=not self.left and code not in (1000, 1001))

    async def _depart(self, *, dropped: bool) -> None:
        """Leaving, whichever way: said once to the others, and the call's facts kept."""
        if self.janus is not None:
            janus, self.janus = self.janus, None
            await janus.close()
        if self.group:
            await self._broadcast({"kind": "peer", "state": "left"})
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = ""
        if self.call is not None:
            call, self.call = self.call, None
            await database_sync_to_async(call_end)(call=call, dropped=dropped)
        if self.actor is not None:
            await self.channel_layer.group_discard(
                video_user_group(self.actor.user_id), self.channel_name
            )
        await self.session_leave()

    async def session_ended(self, event: dict[str, Any]) -> None:
        # Signing out is leaving, not a dropped network.
        self.left = True
        await self._depart(dropped=False)
        await super().session_ended(event)

    async def video_access_changed(self, event: dict[str, Any]) -> None:
        if self.actor is None or self.room is None or self.left:
            return
        if await database_sync_to_async(_still_admitted)(actor=self.actor, room=self.room):
            return
        self.left = True
        await self.send_json(
            {"type": "refused", "message": _("You are not admitted to this room.")}
        )
        await self._depart(dropped=False)
        await self.refuse()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if self.actor is None or not isinstance(content, dict):
            return
        kind = str(content.get("type", ""))
        try:
            if kind == "signal":
                await self._broadcast(
                    {
                        "kind": "signal",
                        "to": str(content.get("to", "")),
                        "data": content.get("data"),
                    }
                )
            elif kind in ("hello", "state"):
                await self._broadcast(
                    {
                        "kind": "peer",
                        "state": "here" if kind == "hello" else "state",
                        "to": str(content.get("to", "")),
                        "muted": bool(content.get("muted")),
                        "speaking": bool(content.get("speaking")),
                    }
                )
            elif kind == "quality":
                await self._report(
                    first_frame_ms=content.get("first_frame_ms"),
                    failure=bool(content.get("failure")),
                )
            elif kind == "leave":
                self.left = True
                await self._depart(dropped=False)
                await self.close(code=1000)
            elif kind.startswith("janus.") and self.janus is not None:
                await self._janus_request(kind, content)
        except DomainError as exc:
            await self.send_json({"type": "error", "message": str(exc.message)})

    async def _report(self, first_frame_ms: object = None, failure: bool = False) -> None:
        if self.call is not None:
            await database_sync_to_async(call_report)(
                call=self.call, first_frame_ms=first_frame_ms, failure=failure
            )

    async def _janus_request(self, kind: str, content: dict[str, Any]) -> None:
        assert self.janus is not None
        try:
            if kind == "janus.publish":
                sdp = await self.janus.publish(str(content.get("sdp", "")))
                await self.send_json({"type": "janus.answer", "sdp": sdp})
            elif kind == "janus.subscribe":
                feed = int(content.get("feed", 0))
                handle, sdp = await self.janus.subscribe(feed)
                await self.send_json(
                    {"type": "janus.offer", "feed": feed, "handle": handle, "sdp": sdp}
                )
            elif kind == "janus.start":
                handle = int(content.get("handle", 0))
                await self.janus.start(handle, str(content.get("sdp", "")))
                await self.send_json({"type": "janus.started", "handle": handle})
        except (JanusUnavailable, ValueError, TypeError):
            await self._report(failure=True)
            await self.send_json(
                {"type": "error", "message": _("The video server refused the request.")}
            )

    async def _janus_event(self, event: dict[str, Any]) -> None:
        if event["videoroom"] == "publishers":
            mine = self.janus.feed_id if self.janus else 0
            others = [p for p in event["list"] if p["id"] != mine]
            await self.send_json({"type": "janus.publishers", "publishers": others})
        elif event["videoroom"] == "gone":
            await self.send_json({"type": "janus.gone", "feed": event["feed"]})
        elif event["videoroom"] == "lost":
            await self._unavailable()

    async def _broadcast(self, payload: dict[str, Any]) -> None:
        await self.channel_layer.group_send(
            self.group,
            {"type": "room.event", "from": self.peer, "name": self.name, **payload},
        )

    async def room_event(self, event: dict[str, Any]) -> None:
        if event["from"] == self.peer or event.get("to") not in (None, "", self.peer):
            return
        if event["kind"] == "recording":
            await self.send_json({"type": "recording", "on": bool(event["on"])})
        elif event["kind"] == "signal":
            await self.send_json({"type": "signal", "from": event["from"], "data": event["data"]})
        else:
            await self.send_json(
                {
                    "type": "peer",
                    "peer": event["from"],
                    "name": event["name"],
                    "state": event["state"],
                    "muted": event.get("muted", False),
                    "speaking": event.get("speaking", False),
                }
            )
