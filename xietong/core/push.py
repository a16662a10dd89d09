"""Sending to open pages through the channel layer from synchronous code (a request, a task).

`async_to_sync(layer.group_send)` starts an event loop for each call, and the Redis channel
layer keeps its connections per event loop: every push paid for a new loop, a new connection
to Redis and its teardown, several milliseconds of CPU a request (the largest single cost of
a workflow step on a profile of the consultation benchmark). With Redis, a process keeps one
loop in a thread of its own instead; pushes are handed to it in the order they were made and
sent over the connections it keeps, and the request goes on without waiting. A push is a
hint that something changed (the page reads what it shows), so one lost with a dying process
costs nothing but a refresh.

The in-memory layer (tests, a demo without Redis) lives on the caller's loop and is sent to
at once, as before."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, InMemoryChannelLayer, get_channel_layer

log = logging.getLogger(__name__)

Send = tuple[str, dict[str, Any]]


class _Sender:
    """One event loop in a daemon thread, draining a queue of pushes in order."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.queue: asyncio.Queue[tuple[BaseChannelLayer, list[Send]]] | None = None
        ready = threading.Event()
        threading.Thread(target=self._run, args=(ready,), name="xt-push", daemon=True).start()
        ready.wait()

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.queue = asyncio.Queue()
        self.loop.create_task(self._drain(self.queue))
        ready.set()
        self.loop.run_forever()

    async def _drain(self, queue: asyncio.Queue[tuple[BaseChannelLayer, list[Send]]]) -> None:
        while True:
            layer, sends = await queue.get()
            for group, message in sends:
                try:
                    await layer.group_send(group, message)
                except Exception:  # a push is a hint: log it and go on with the next
                    log.exception("push to %s failed", group)

    def hand_over(self, layer: BaseChannelLayer, sends: list[Send]) -> None:
        queue = self.queue
        assert queue is not None
        self.loop.call_soon_threadsafe(queue.put_nowait, (layer, sends))


_sender: _Sender | None = None
_sender_lock = threading.Lock()


def _sender_of_this_process() -> _Sender:
    """The sender, started on first use; a forked worker starts its own (threads do not
    survive a fork)."""
    global _sender
    with _sender_lock:
        if _sender is None or _sender.pid != os.getpid():
            _sender = _Sender()
        return _sender


async def _send_all(layer: BaseChannelLayer, sends: list[Send]) -> None:
    for group, message in sends:
        await layer.group_send(group, message)


def channel_push(sends: Iterable[Send]) -> None:
    """Sends each (group, message) to the channel layer, in order."""
    layer = get_channel_layer()
    wanted = list(sends)
    if layer is None or not wanted:
        return
    if isinstance(layer, InMemoryChannelLayer):
        async_to_sync(_send_all)(layer, wanted)
        return
    _sender_of_this_process().hand_over(layer, wanted)
