"""Which institutions have a gateway that takes pushes, known without a statement.

Every signing and down-referral asks; almost always the answer is "none of these", and the
signing's statement budget has no room for a query that finds nothing. So each process keeps
the set for at most LISTENING_TTL seconds, and forgets it as soon as a heartbeat it serves
changes a gateway's address. A gateway that begins taking pushes is thus seen by the other
processes within that time (ADR 27); one revoked meanwhile is filtered when a message is
queued (services.py) and again when it is sent (delivery.py)."""

from __future__ import annotations

import threading
import time

LISTENING_TTL = 30.0

_lock = threading.Lock()
_known: tuple[float, frozenset[int]] | None = None


def listening_institutions() -> frozenset[int]:
    global _known
    now = time.monotonic()
    known = _known
    if known is not None and now - known[0] < LISTENING_TTL:
        return known[1]
    from ..models import Gateway

    ids = frozenset(
        Gateway.objects.filter(active=True)
        .exclude(push_url="")
        .order_by()
        .values_list("institution_id", flat=True)
        .distinct()
    )
    with _lock:
        _known = (now, ids)
    return ids


def listening_forget(known: frozenset[int] | None = None) -> None:
    """Ask the database next time; or take `known` as the answer now (a test starting on
    an empty database)."""
    global _known
    with _lock:
        _known = None if known is None else (time.monotonic(), known)
