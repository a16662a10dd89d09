"""One participant's Janus session, driven from our signalling WebSocket.

The browser (or a test's aiortc peer) never talks to Janus's API: it sends SDP to us, and
we join Janus's room with the room's PIN, publish, subscribe and start on its behalf. The
session's events are long-polled by one task that both answers our pending requests
(matched by transaction) and forwards room news (publishers arriving and leaving)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .janus import JanusClient, JanusUnavailable

# Each participant keeps one long poll open: the default executor (a few threads on a
# small machine) would run out after a handful of people.
_io = ThreadPoolExecutor(max_workers=256, thread_name_prefix="janus-io")
REQUEST_TIMEOUT_S = 20.0
EventSink = Callable[[dict[str, Any]], Awaitable[None]]


async def _run(fn: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(_io, fn, *args)


class JanusParticipant:
    def __init__(
        self, client: JanusClient, *, room: int, pin: str, display: str, on_event: EventSink
    ) -> None:
        self.client, self.room, self.pin, self.display = client, room, pin, display
        self.on_event = on_event
        self.session = 0
        self.publisher_handle = 0
        self.feed_id = 0
        self.private_id = 0
        self.subscriptions: dict[int, int] = {}  # handle -> feed
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._poller: asyncio.Task[None] | None = None
        self._closed = False

    async def join(self) -> list[dict[str, Any]]:
        """Joins the room as a publisher (not yet sending); the publishers already there."""
        self.session = await _run(self.client.session_create)
        self.publisher_handle = await _run(self.client.attach, self.session)
        self._poller = asyncio.create_task(self._poll())
        data, _jsep = await self._request(
            self.publisher_handle,
            {
                "request": "join",
                "ptype": "publisher",
                "room": self.room,
                "pin": self.pin,
                "display": self.display[:60],
            },
        )
        self.feed_id, self.private_id = int(data["id"]), int(data.get("private_id") or 0)
        return _publishers(data)

    async def publish(self, offer_sdp: str) -> str:
        _data, jsep = await self._request(
            self.publisher_handle,
            {"request": "configure", "audio": True, "video": True},
            {"type": "offer", "sdp": offer_sdp},
        )
        return str(jsep["sdp"])

    async def subscribe(self, feed: int) -> tuple[int, str]:
        """A subscriber handle for one publisher's feed, and Janus's offer for it."""
        handle = await _run(self.client.attach, self.session)
        _data, jsep = await self._request(
            handle,
            {
                "request": "join",
                "ptype": "subscriber",
                "room": self.room,
                "pin": self.pin,
                "streams": [{"feed": feed}],
                "private_id": self.private_id,
            },
        )
        self.subscriptions[handle] = feed
        return handle, str(jsep["sdp"])

    async def start(self, handle: int, answer_sdp: str) -> None:
        if handle not in self.subscriptions:
            raise JanusUnavailable("unknown subscription")
        await self._request(handle, {"request": "start"}, {"type": "answer", "sdp": answer_sdp})

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.session:
            await _run(self.client.session_destroy, self.session)
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poller
        for future in self._pending.values():
            if not future.done():
                future.set_exception(JanusUnavailable("closed"))

    async def _request(
        self, handle: int, body: dict[str, Any], jsep: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        transaction = secrets.token_hex(8)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[transaction] = future
        try:
            answer = await _run(self.client.message, self.session, handle, body, jsep, transaction)
            if answer.get("janus") != "ack":
                event = answer
            else:
                event = await asyncio.wait_for(future, REQUEST_TIMEOUT_S)
        except TimeoutError as exc:
            raise JanusUnavailable("no answer from the video server") from exc
        finally:
            self._pending.pop(transaction, None)
        data: dict[str, Any] = event.get("plugindata", {}).get("data", {})
        if data.get("error_code"):
            raise JanusUnavailable(str(data.get("error") or data["error_code"]))
        return data, event.get("jsep") or {}

    async def _poll(self) -> None:
        while not self._closed:
            try:
                events = await _run(self.client.poll, self.session)
            except Exception:  # any failure of the poll loses the session
                if self._closed:
                    return
                await self.on_event({"videoroom": "lost"})
                return
            for event in events:
                await self._dispatch(event)

    async def _dispatch(self, event: dict[str, Any]) -> None:
        future = self._pending.get(str(event.get("transaction", "")))
        if future is not None and event.get("janus") == "event" and not future.done():
            future.set_result(event)
            return
        if event.get("janus") == "event" and event.get("sender") == self.publisher_handle:
            data = event.get("plugindata", {}).get("data", {})
            if "publishers" in data:
                await self.on_event({"videoroom": "publishers", "list": _publishers(data)})
            for key in ("unpublished", "leaving"):
                if isinstance(data.get(key), int):
                    await self.on_event({"videoroom": "gone", "feed": data[key]})


def _publishers(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"id": int(p["id"]), "display": str(p.get("display", ""))}
        for p in data.get("publishers", [])
        if isinstance(p, dict) and "id" in p
    ]
