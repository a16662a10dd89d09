"""Moves the outbox to the platform: batches of due messages, one Bundle per message.

What each answer means for a message (the exchange contract):
- 2xx: the platform processed the Bundle; entries it refused are recorded as errors (the HIS
  data was wrong, resending cannot fix it) and the message is sent.
- 5xx or no answer: the platform's own trouble. The message waits with exponential backoff and
  jitter; on no answer at all the whole pusher pauses as long, since the others would fail too.
- 401/403: this gateway's secret is not (or no longer) accepted: everything waits, and the
  error shows in `status` until an operator fixes the secret.
- other 4xx (400 not a Bundle, 413 too large): resending the same bytes gives the same answer;
  the message is held as refused, visible in `status`, and its patient's queue moves on.
"""

from __future__ import annotations

import json
import logging
import threading

from .outbox import Outbox, backoff
from .platform import Platform, Unreachable

log = logging.getLogger("xt_gateway.pusher")


class Pusher:
    def __init__(
        self,
        outbox: Outbox,
        platform: Platform,
        *,
        batch_size: int = 50,
        backoff_base: float = 1.0,
        backoff_cap: float = 300.0,
        idle_s: float = 0.5,
    ) -> None:
        self.outbox = outbox
        self.platform = platform
        self.batch_size = batch_size
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.idle_s = idle_s
        self._failures = 0  # consecutive cycles the platform did not answer

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                pause = self.cycle()
            except Exception:  # keep pushing whatever one cycle tripped over
                log.exception("push cycle failed")
                pause = self.backoff_cap / 10
            stop.wait(pause)
        self.platform.close()

    def cycle(self) -> float:
        """Push one batch; the seconds to wait before the next."""
        due = self.outbox.due(limit=self.batch_size)
        if not due:
            return self.idle_s
        for item in due:
            try:
                answer = self.platform.push(item.bundle)
            except Unreachable as exc:
                self._failures += 1
                delay = backoff(self._failures, base=self.backoff_base, cap=self.backoff_cap)
                self.outbox.mark_retry(
                    item.seq, error=f"平台无应答 / no answer: {exc}", delay=delay
                )
                log.warning("platform unreachable (%s); next try in %.1fs", exc, delay)
                return delay
            self._failures = 0
            text = answer.body.decode("utf-8", errors="replace")
            if 200 <= answer.status < 300:
                self.outbox.mark_sent(
                    item.seq, response=text, entry_errors=_entry_errors(answer.body)
                )
            elif answer.status in (401, 403):
                delay = backoff(
                    item.attempts + 1, base=self.backoff_base * 10, cap=self.backoff_cap
                )
                self.outbox.mark_retry(
                    item.seq,
                    error=f"平台拒绝本前置机的凭据 / credential refused ({answer.status})",
                    delay=delay,
                )
                log.error("the platform refuses this gateway's secret (%s)", answer.status)
                return delay
            elif answer.status >= 500 or answer.status == 429:
                delay = backoff(item.attempts + 1, base=self.backoff_base, cap=self.backoff_cap)
                self.outbox.mark_retry(
                    item.seq,
                    error=f"平台错误 / platform error {answer.status}: {text[:200]}",
                    delay=delay,
                )
            else:
                self.outbox.mark_refused(
                    item.seq,
                    error=f"平台拒收 / refused {answer.status}: {text[:300]}",
                    response=text,
                )
                log.error("message %s refused by the platform: %s", item.message_id, answer.status)
        return 0.0


def _entry_errors(body: bytes) -> list[str]:
    """The refused entries of a batch-response, as one line each."""
    try:
        bundle = json.loads(body)
    except ValueError:
        return []
    out = []
    for i, entry in enumerate(bundle.get("entry") or []):
        response = entry.get("response") or {}
        status = str(response.get("status", ""))
        if status[:1] in ("2", ""):
            continue
        issues = ((response.get("outcome") or {}).get("issue")) or []
        why = "; ".join(str(x.get("diagnostics", "")) for x in issues)
        out.append(f"条目 {i} 被拒 / entry {i} refused: {status} {why}".strip())
    return out
