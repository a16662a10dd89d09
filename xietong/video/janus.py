"""A small client of Janus's HTTP API (https://janus.conf.meetecho.com/docs/rest.html).

Only the server talks to Janus: its API listens on loopback, and the VideoRoom admin key
and room secrets stay here. Browsers reach Janus's media (ICE/DTLS/SRTP) directly, and its
signalling through our WebSocket (relay.py)."""

from __future__ import annotations

import contextlib
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from . import conf

PLUGIN = "janus.plugin.videoroom"


class JanusUnavailable(Exception):
    """Janus did not answer, or answered with an error."""


def _transaction() -> str:
    return secrets.token_hex(8)


@dataclass
class JanusClient:
    url: str
    timeout: float = 10.0

    def _send(self, path: str, body: dict[str, Any] | None, timeout: float) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL is our own setting
            self.url + path,
            data=data,
            headers={"Content-Type": "application/json"},
            method="GET" if body is None else "POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                answer: Any = json.loads(response.read())
        except (OSError, ValueError) as exc:
            raise JanusUnavailable(str(exc)) from exc
        if isinstance(answer, dict) and answer.get("janus") == "error":
            raise JanusUnavailable(answer.get("error", {}).get("reason", "error"))
        return answer

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = self._send(
            path, {**body, "transaction": body.get("transaction") or _transaction()}, self.timeout
        )
        return answer

    def info(self) -> dict[str, Any]:
        answer: dict[str, Any] = self._send("/info", None, self.timeout)
        return answer

    def session_create(self) -> int:
        return int(self.post("", {"janus": "create"})["data"]["id"])

    def session_destroy(self, session: int) -> None:
        # Gone already (timed out, or Janus restarted): nothing left to free.
        with contextlib.suppress(JanusUnavailable):
            self.post(f"/{session}", {"janus": "destroy"})

    def attach(self, session: int, plugin: str = PLUGIN) -> int:
        return int(self.post(f"/{session}", {"janus": "attach", "plugin": plugin})["data"]["id"])

    def message(
        self,
        session: int,
        handle: int,
        body: dict[str, Any],
        jsep: dict[str, Any] | None = None,
        transaction: str | None = None,
    ) -> dict[str, Any]:
        """Sends a plugin request. Synchronous requests answer "success" with plugindata;
        asynchronous ones answer "ack" and their result arrives through poll()."""
        envelope: dict[str, Any] = {"janus": "message", "body": body}
        if jsep is not None:
            envelope["jsep"] = jsep
        if transaction:
            envelope["transaction"] = transaction
        return self.post(f"/{session}/{handle}", envelope)

    def poll(self, session: int, maxev: int = 10, timeout: float = 35.0) -> list[dict[str, Any]]:
        """Long-polls the session's events (Janus answers a keepalive after 30 s); this
        also keeps the session alive."""
        answer: Any = self._send(f"/{session}?maxev={maxev}", None, timeout)
        events = answer if isinstance(answer, list) else [answer]
        return [e for e in events if e.get("janus") != "keepalive"]

    def videoroom(self, body: dict[str, Any]) -> dict[str, Any]:
        """A synchronous VideoRoom request on a short-lived session of its own."""
        session = self.session_create()
        try:
            handle = self.attach(session)
            answer = self.message(session, handle, body)
        finally:
            self.session_destroy(session)
        data: dict[str, Any] = answer.get("plugindata", {}).get("data", {})
        if data.get("videoroom") == "event" and data.get("error_code"):
            raise JanusUnavailable(str(data.get("error", data["error_code"])))
        return data


def janus_client() -> JanusClient | None:
    url = conf.janus_url()
    return JanusClient(url) if url else None


def janus_room_create(
    client: JanusClient, *, room: int, description: str, pin: str, secret: str, rec_dir: str
) -> None:
    """Creates the room with our admin key; its secret and PIN are the room's own. The
    bitrate cap keeps every publisher within what a county line carries."""
    client.videoroom(
        {
            "request": "create",
            "admin_key": conf.janus_admin_key(),
            "room": room,
            "description": description[:100],
            "secret": secret,
            "pin": pin,
            "is_private": True,
            "publishers": conf.janus_publishers_max(),
            "bitrate": conf.janus_room_bitrate(),
            "bitrate_cap": True,
            "fir_freq": 10,
            "videocodec": "vp8",
            "audiocodec": "opus",
            "permanent": False,
            "record": False,
            "rec_dir": rec_dir,
        }
    )


def janus_room_destroy(client: JanusClient, *, room: int, secret: str) -> None:
    data = client.videoroom({"request": "destroy", "room": room, "secret": secret})
    if data.get("videoroom") not in ("destroyed", None):
        raise JanusUnavailable(str(data))


def janus_room_record(client: JanusClient, *, room: int, secret: str, record: bool) -> None:
    """Starts or stops recording every publisher of the room into its rec_dir."""
    client.videoroom(
        {"request": "enable_recording", "room": room, "secret": secret, "record": record}
    )
