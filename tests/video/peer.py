"""A WebRTC participant in Python (aiortc) speaking our signalling protocol, as the room
page's script does: publish a camera (a synthetic 640×480 picture), subscribe to everyone
else's feed through Janus, and note when the first remote frame arrives."""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

import av
from aiortc import MediaStreamTrack, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[float], Awaitable[dict[str, Any]]]
VIDEO_CLOCK = 90000


class PatternTrack(VideoStreamTrack):
    """A moving test picture, so that every frame differs (as a camera's do)."""

    def __init__(self, width: int = 640, height: int = 480, fps: int = 15) -> None:
        super().__init__()
        self.width, self.height, self.fps = width, height, fps
        self.count = 0
        self.started = time.monotonic()

    async def recv(self) -> av.VideoFrame:
        due = self.started + self.count / self.fps
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        frame = av.VideoFrame(self.width, self.height, "yuv420p")
        luma, blue, red = frame.planes
        row = bytearray(luma.line_size)
        x = (self.count * 8) % self.width
        row[x : x + 40] = b"\xff" * len(row[x : x + 40])
        luma.update(bytes(row) * self.height)
        for chroma in (blue, red):
            chroma.update(b"\x80" * (chroma.line_size * (self.height // 2)))
        frame.pts = int(self.count * VIDEO_CLOCK / self.fps)
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self.count += 1
        return frame


@dataclass
class RemoteFeed:
    feed: int
    display: str
    frames: int = 0
    first_frame_at: float | None = None
    size: tuple[int, int] = (0, 0)


@dataclass
class JanusPeer:
    send: Send
    receive: Receive
    width: int = 640
    height: int = 480
    feed: int = 0
    started_at: float = field(default_factory=time.monotonic)
    remote: dict[int, RemoteFeed] = field(default_factory=dict)
    publishers: dict[int, str] = field(default_factory=dict)
    _inbox: list[dict[str, Any]] = field(default_factory=list)
    _connections: list[RTCPeerConnection] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def _next(self, kind: str, timeout: float = 20) -> dict[str, Any]:
        """The next message of this type; others are kept (publisher news) or raised."""
        deadline = time.monotonic() + timeout
        while True:
            for i, message in enumerate(self._inbox):
                if message["type"] == kind:
                    return self._inbox.pop(i)
            message = await self.receive(max(0.1, deadline - time.monotonic()))
            if message["type"] in ("error", "unavailable", "refused"):
                raise AssertionError(f"signalling said {message}")
            if message["type"] == "janus.publishers":
                for p in message["publishers"]:
                    self.publishers[p["id"]] = p["display"]
                continue
            self._inbox.append(message)

    async def next_message(self, kind: str, timeout: float = 20) -> dict[str, Any]:
        return await self._next(kind, timeout)

    async def join(self) -> None:
        welcome = await self._next("welcome")
        assert welcome["mode"] == "janus", welcome
        self.feed = welcome["feed"]
        for p in welcome["publishers"]:
            self.publishers[p["id"]] = p["display"]

    async def publish(self) -> None:
        pc = RTCPeerConnection()
        self._connections.append(pc)
        pc.addTrack(PatternTrack(self.width, self.height))
        await pc.setLocalDescription(await pc.createOffer())
        await self.send({"type": "janus.publish", "sdp": pc.localDescription.sdp})
        answer = await self._next("janus.answer")
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))

    async def subscribe(self, feed: int) -> RemoteFeed:
        remote = RemoteFeed(feed=feed, display=self.publishers.get(feed, ""))
        self.remote[feed] = remote
        await self.send({"type": "janus.subscribe", "feed": feed})
        offer = await self._next("janus.offer")
        pc = RTCPeerConnection()
        self._connections.append(pc)

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                self._tasks.append(asyncio.create_task(self._count(track, remote)))

        await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        await self.send(
            {"type": "janus.start", "handle": offer["handle"], "sdp": pc.localDescription.sdp}
        )
        await self._next("janus.started")
        return remote

    async def wait_for_publisher(self, timeout: float = 20) -> int:
        deadline = time.monotonic() + timeout
        while not self.publishers:
            with contextlib.suppress(TimeoutError):
                self._inbox.append(await self.receive(max(0.1, deadline - time.monotonic())))
                last = self._inbox[-1]
                if last["type"] == "janus.publishers":
                    self._inbox.pop()
                    for p in last["publishers"]:
                        self.publishers[p["id"]] = p["display"]
            if time.monotonic() > deadline:
                raise AssertionError("nobody published in the room")
        return next(iter(self.publishers))

    async def _count(self, track: MediaStreamTrack, remote: RemoteFeed) -> None:
        with contextlib.suppress(Exception):
            while True:
                frame = cast(av.VideoFrame, await track.recv())
                if remote.first_frame_at is None:
                    remote.first_frame_at = time.monotonic()
                    remote.size = (frame.width, frame.height)
                remote.frames += 1

    async def frames_from(self, feed: int, at_least: int, timeout: float = 30) -> RemoteFeed:
        remote = self.remote[feed]
        deadline = time.monotonic() + timeout
        while remote.frames < at_least and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return remote

    async def leave(self) -> None:
        with contextlib.suppress(Exception):
            await self.send({"type": "leave"})
        for task in self._tasks:
            task.cancel()
        for pc in self._connections:
            await pc.close()
