"""The demo's history told in the order it would have happened. A story is a generator that
yields the moment of its next step and, when resumed, takes that step through the services;
the stories are interleaved by those moments and each step runs with the clock set to its
moment. So timestamps, deadlines, timelines, notifications and the audit chain read as a
week of work in a telemedicine centre, not as everything done in the second the seed ran,
and the audit log stays in time order across stories."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Iterator

import time_machine

Story = Iterator[dt.datetime]


def at_moment(moment: dt.datetime) -> time_machine.travel:
    """The clock set to `moment`, running on from there while the step takes its time."""
    return time_machine.travel(moment, tick=True)


def stories_run(stories: Iterable[Story]) -> int:
    """Runs every story's steps in time order; returns how many steps were taken. A story
    whose next moment lies before its last one is a fault in the plan (ValueError)."""
    queue: list[tuple[dt.datetime, int, Story]] = []
    for n, story in enumerate(stories):
        first = next(story, None)
        if first is not None:
            heapq.heappush(queue, (first, n, story))
    steps = 0
    while queue:
        moment, n, story = heapq.heappop(queue)
        with at_moment(moment):
            following = next(story, None)
        steps += 1
        if following is None:
            continue
        if following < moment:
            raise ValueError(f"a demo story goes back in time: {following} after {moment}")
        heapq.heappush(queue, (following, n, story))
    return steps
