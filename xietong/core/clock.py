"""Work that runs on a timetable: deadline checks, the green channel's acknowledgement clock.

Apps register what they need from AppConfig.ready(); the `clock` command (started by
`./xt serve` beside the task worker) queues each job for the workers when it falls due. A
job must be safe to run twice, because a restarted clock queues everything once at start and
two clocks may run during a deployment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Periodic:
    name: str
    every: dt.timedelta
    enqueue: Callable[[], object]


_jobs: dict[str, Periodic] = {}


def periodic_register(name: str, *, every: dt.timedelta, enqueue: Callable[[], object]) -> None:
    if every <= dt.timedelta(0):
        raise ValueError("a periodic job needs a positive interval")
    _jobs[name] = Periodic(name, every, enqueue)


def periodic_jobs() -> list[Periodic]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def clock_tick(*, now: dt.datetime, last: dict[str, dt.datetime]) -> list[str]:
    """Queues every job that is due at `now` and records when in `last`; returns their
    names. A job that fails to queue is tried again on the next tick."""
    queued: list[str] = []
    for job in periodic_jobs():
        previous = last.get(job.name)
        if previous is not None and now - previous < job.every:
            continue
        job.enqueue()
        last[job.name] = now
        queued.append(job.name)
    return queued
