"""An association whose two threads wait for work instead of polling for it.

pynetdicom runs each association in two threads that poll: the network layer (DUL) sleeps
1 ms whenever its socket and its outgoing queue were empty, and the association's reactor
sleeps 1 ms between looks at its incoming messages. On one association sending instance after
instance, each C-STORE waited for up to three such sleeps (the request noticed, the answer
noticed, the next request noticed), and the threads woke 2,000 times a second to ask for the
interpreter lock while the ingest ran; on a busy machine each of those hand-overs waits for
the scheduler (docs/adr/0029-cstore-throughput.md).

Here an accepted association's threads are registered before they start, and a sleep in
one of them becomes a wait that ends as soon as there is something to do:

- the network layer waits (in select, without the interpreter lock) for its socket to be
  readable or for a primitive to be queued for it to send;
- the reactor waits for a decoded message or a primitive from the network layer.

Each wait also ends after WAIT_AT_MOST, so what the loops check on their own clock (the
ARTIM and idle timers, the other thread's end, a kill) is seen as before, only less often.
pynetdicom's loops are unchanged and run as they are written: only their `time.sleep` is
answered differently, and only in a registered thread (every other thread, a client's
association in the same process, sleeps as before)."""

from __future__ import annotations

import contextlib
import queue
import select
import socket
import threading
import time
import weakref
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pynetdicom.association
import pynetdicom.dul

# How long a registered thread waits without a wake-up: the loops' own timers (ARTIM, idle,
# a kill) are seen at least this often.
WAIT_AT_MOST = 0.01

# The longest sleep of pynetdicom's that is a poll (its loops' delay).
POLL = 0.001
# The wait that replaces a sleep, by the thread that sleeps.
_waits: weakref.WeakKeyDictionary[threading.Thread, Callable[[float], None]] = (
    weakref.WeakKeyDictionary()
)


class _Clock:
    """Stands for the `time` module in pynetdicom's association and network layer: a sleep
    in a registered thread is its wait; everything else is the time module's."""

    def __init__(self, real: ModuleType) -> None:
        self._real = real

    def sleep(self, seconds: float) -> None:
        # Only the loops' polls (1 ms and shorter) wait for work: a longer sleep is a pause
        # pynetdicom means (after an abort), and sleeps as written.
        wait = _waits.get(threading.current_thread()) if seconds <= POLL else None
        if wait is None:
            self._real.sleep(seconds)
        else:
            wait(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


for _module in (pynetdicom.association, pynetdicom.dul):
    _theirs: Any = _module
    if not isinstance(_theirs.time, _Clock):
        _theirs.time = _Clock(time)


class _Signalled(queue.Queue[Any]):
    """A queue that calls `signal` after each put."""

    def __init__(self, signal: Callable[[], None]) -> None:
        super().__init__()
        self._signal = signal

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        super().put(item, block, timeout)
        self._signal()


class _Waker:
    """One association's wake-ups: a socket pair the network layer selects on beside the
    peer's socket, and an event the reactor waits on."""

    def __init__(self) -> None:
        self.reader, self.writer = socket.socketpair()
        self.reader.setblocking(False)
        self.writer.setblocking(False)
        self.reactor = threading.Event()
        self.closed = False

    def network_wake(self) -> None:
        # Already woken (the pair's buffer is full), or closed (nothing waits): either way
        # there is nothing more to do.
        with contextlib.suppress(OSError):
            self.writer.send(b"\0")

    def network_wait(self, dul: Any, seconds: float) -> None:
        peer = getattr(dul.socket, "socket", None) if dul.socket is not None else None
        if self.closed or peer is None or peer.fileno() < 0:
            time.sleep(seconds)
            return
        try:
            readable, _w, _x = select.select([peer, self.reader], [], [], WAIT_AT_MOST)
        except (OSError, ValueError):  # the peer's socket closed meanwhile
            return
        if self.reader in readable:
            with contextlib.suppress(OSError):  # drained (BlockingIOError), or closed
                while self.reader.recv(4096):
                    pass

    def reactor_wait(self, seconds: float) -> None:
        self.reactor.wait(WAIT_AT_MOST)
        self.reactor.clear()

    def close(self) -> None:
        self.closed = True
        self.reader.close()
        self.writer.close()


def association_waking(assoc: Any) -> None:
    """Registers an association (not started yet: from its EVT_CONN_OPEN handler) so that
    its threads wait for work. Undone by association_forget."""
    waker = _Waker()
    dul = assoc.dul
    dul.to_provider_queue = _Signalled(waker.network_wake)
    dul.to_user_queue = _Signalled(waker.reactor.set)
    assoc.dimse.msg_queue = _Signalled(waker.reactor.set)
    _waits[dul] = lambda seconds: waker.network_wait(dul, seconds)
    _waits[assoc] = waker.reactor_wait
    assoc._xt_waker = waker


def association_forget(assoc: Any) -> None:
    """The association's connection closed: its threads sleep as pynetdicom's do (they are
    ending), and the wake-up sockets are closed."""
    waker: _Waker | None = getattr(assoc, "_xt_waker", None)
    if waker is None:
        return
    _waits.pop(assoc.dul, None)
    _waits.pop(assoc, None)
    waker.close()


def reads_whole(assoc: Any) -> None:
    """The association's socket reads what the network layer asks for (a whole PDU's body,
    128 KB from storescu) into one buffer, in as few calls as the kernel allows, instead of
    pynetdicom's 4 KB at a time (each call gives the interpreter lock up and takes it
    again). A connection closed midway answers what was read, as pynetdicom's does."""
    wrapped = assoc.dul.socket

    def recv(nr_bytes: int) -> bytearray:
        buffer = bytearray(nr_bytes)
        view, done = memoryview(buffer), 0
        with view:
            while done < nr_bytes:
                got = wrapped.socket.recv_into(view[done:], nr_bytes - done)
                if not got:
                    break
                done += got
        del buffer[done:]
        return buffer

    wrapped.recv = recv
