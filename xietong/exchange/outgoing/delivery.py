"""Sending one queued message to its gateway, and what the answer means for it.

The platform signs each request with the gateway's registered secret relation (ADR 25/27):
the key is the SHA-256 of the gateway's secret, which the platform keeps to know the gateway
and the gateway computes from the secret it holds. The signature covers the time, the
message id and the body; the gateway refuses a wrong or stale one.

Any answer other than 2xx, and no answer at all, leaves the message waiting with an
exponential backoff and full jitter, for as long as it takes; a message waiting longer than
XT_PUSH_STUCK_MINUTES shows on the administrator's list of stuck pushes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import random
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone

from ..models import OutgoingMessage, OutgoingState

SIGNATURE_HEADER = "X-Xietong-Signature"
TIMESTAMP_HEADER = "X-Xietong-Timestamp"
KEY_HEADER = "Idempotency-Key"


def push_signature(*, key: str, timestamp: str, message_id: str, body: bytes) -> str:
    mac = hmac.new(key.encode(), f"{timestamp}.{message_id}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def retry_delay(attempts: int) -> float:
    base = float(settings.XT_PUSH_RETRY_BASE_SECONDS)
    cap = float(settings.XT_PUSH_RETRY_CAP_SECONDS)
    return random.uniform(base / 2, min(cap, base * 2 ** max(0, attempts - 1)))


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    timeout = float(settings.XT_PUSH_TIMEOUT_SECONDS)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read(2000).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(2000).decode("utf-8", "replace")


def outgoing_deliver(*, message_pk: int) -> str:
    """One attempt, if the message is due; what happened, in a word. Safe to run twice at
    once: the attempt is claimed with a conditional UPDATE first, and the gateway stores a
    message once per key whatever reaches it."""
    now = timezone.now()
    claim = now + dt.timedelta(seconds=float(settings.XT_PUSH_TIMEOUT_SECONDS) + 30)
    claimed = OutgoingMessage.objects.filter(
        pk=message_pk, state=OutgoingState.WAITING, next_attempt_at__lte=now
    ).update(next_attempt_at=claim)
    if not claimed:
        return "not due"
    message = OutgoingMessage.objects.select_related("gateway").get(pk=message_pk)
    gateway = message.gateway
    if not gateway.active:
        # A revoked gateway gets nothing more, not even what was queued before.
        OutgoingMessage.objects.filter(pk=message.pk).update(
            state=OutgoingState.CANCELLED, last_error="前置机已停用 / gateway revoked"
        )
        return "cancelled"
    body = json.dumps(message.bundle, ensure_ascii=False, separators=(",", ":")).encode()
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/fhir+json; charset=utf-8",
        KEY_HEADER: message.message_id,
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: push_signature(
            key=gateway.secret_hash, timestamp=stamp, message_id=message.message_id, body=body
        ),
    }
    try:
        status, text = _post(gateway.push_url, body, headers) if gateway.push_url else (0, "")
        error = "" if 200 <= status < 300 else f"HTTP {status}: {text[:300]}"
    except (OSError, ValueError) as exc:  # refused, timed out, reset, a bad address
        error = f"无应答 / no answer: {type(exc).__name__}: {exc}"
    done = timezone.now()
    rows = OutgoingMessage.objects.filter(pk=message.pk, state=OutgoingState.WAITING)
    if not error:
        rows.update(
            state=OutgoingState.DELIVERED, delivered_at=done, last_attempt_at=done,
            attempts=message.attempts + 1, last_error="",
        )  # fmt: skip
        return "delivered"
    delay = retry_delay(message.attempts + 1)
    rows.update(
        attempts=message.attempts + 1, last_attempt_at=done, last_error=error[:500],
        next_attempt_at=done + dt.timedelta(seconds=delay),
    )  # fmt: skip
    _retry_later(message.pk, delay)
    return "retry"


def _retry_later(message_pk: int, delay: float) -> None:
    """Queue the next attempt for its time where the task backend can wait; elsewhere (the
    tests' immediate backend) the periodic sweep picks it up once due."""
    from django_tasks import default_task_backend

    from .tasks import outgoing_deliver_task

    if default_task_backend.supports_defer:
        outgoing_deliver_task.using(run_after=timezone.now() + dt.timedelta(seconds=delay)).enqueue(
            message_pk=message_pk
        )


def outgoing_due(*, limit: int = 500) -> list[int]:
    return list(
        OutgoingMessage.objects.filter(
            state=OutgoingState.WAITING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
