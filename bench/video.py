"""Benchmark: video through Janus with aiortc peers.

    ./xt bench video [--joins 20] [--max-rooms 8] [--hold 6]
    (root and Janus needed; XT_BENCH_DATABASE_URL, default a local xietong_bench_video,
    emptied at the start of each run)

Starts Janus with our configuration in a network namespace of its own (as the tests do),
then, with ad-hoc meetings as the rooms' subjects:
1. join → first remote frame: someone already publishes in a fresh room; a second person
   joins through the API, opens the signalling socket, publishes and subscribes, and the
   time until the first decoded frame of the first person's picture is taken;
2. concurrent two-person rooms at 640×480 and 15 frames/s: rooms are added one level at a
   time and held; a level holds when every subscriber receives at least 90% of the frames
   sent. The peers run in this process on this machine too, so the count says what the
   machine holds with its own encoders and decoders as the load.
Prints a table and one JSON line. Goal: join → first frame p95 < 1000 ms."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, Timings, database_ensure, json_line, percentile, table_print

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/xietong_bench_video"
GOAL_P95_MS = 1000
FPS = 15
HELD_SHARE = 0.9


def setup() -> None:
    url = os.environ.get("XT_BENCH_DATABASE_URL", DEFAULT_URL)
    database_ensure(url)
    os.environ["XT_DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.embedded"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    # The database is this benchmark's own: each run starts from an empty one.
    call_command("flush", interactive=False, verbosity=0)


class Person:
    def __init__(self, membership: Any) -> None:
        from xietong.accounts.actors import actor_for_membership
        from xietong.accounts.tokens import api_token_issue

        self.actor = actor_for_membership(membership)
        self.user = membership.user
        _token, self.key = api_token_issue(membership=membership, label="video bench")


def two_colleagues() -> tuple[Person, Person, str]:
    """Two people and a meeting between them (a fresh room each time)."""
    from xietong.accounts.tests.factories import MembershipFactory
    from xietong.video.meetings import meeting_create

    first = MembershipFactory(roles=["requester"])
    second = MembershipFactory(roles=["expert"], institution=first.institution)
    a, b = Person(first), Person(second)
    meeting = meeting_create(actor=a.actor, title="会诊讨论", invitees=[b.user.uuid])
    return a, b, str(meeting.uuid)


def api_join(person: Person, meeting: str) -> dict[str, Any]:
    from django.test import Client

    client = Client(headers={"authorization": f"Bearer {person.key}"})
    response = client.post(f"/api/v1/video/rooms/meeting/{meeting}/join")
    if response.status_code != 200:
        sys.exit(f"join answered {response.status_code}: {response.content[:300]!r}")
    answer: dict[str, Any] = response.json()
    return answer


async def connect(person: Person, meeting: str) -> tuple[Any, Any]:
    from asgiref.sync import sync_to_async
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator

    from tests.video.calls import peer
    from xietong.video.routing import websocket_urlpatterns

    join = await sync_to_async(api_join)(person, meeting)
    path = f"{join['signalling']}?credential={quote(join['credential'])}"
    # The credential is bound to the token that asked for it: the socket presents it too.
    headers = [(b"authorization", f"Bearer {person.key}".encode())]
    socket = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path, headers=headers)
    connected, _ = await socket.connect(timeout=10)
    if not connected:
        sys.exit("the signalling socket refused the connection")
    someone = peer(socket)
    await someone.join()
    await someone.publish()
    return socket, someone


async def leave(*pairs: tuple[Any, Any]) -> None:
    for socket, someone in pairs:
        await someone.leave()
        await socket.disconnect()


async def join_to_first_frame(timings: Timings, joins: int) -> None:
    from asgiref.sync import sync_to_async

    for _ in range(joins):
        a, b, meeting = await sync_to_async(two_colleagues)()
        first = await connect(a, meeting)
        started = time.monotonic()
        second = await connect(b, meeting)
        remote = await second[1].subscribe(first[1].feed)
        await second[1].frames_from(first[1].feed, 1, timeout=15)
        if remote.first_frame_at is None:
            sys.exit("no frame arrived within 15 s")
        timings.samples.setdefault("join → first remote frame", []).append(
            (remote.first_frame_at - started) * 1000
        )
        await leave(second, first)


async def hold_rooms(count: int, hold_s: float) -> tuple[bool, float]:
    """Opens `count` two-person rooms, both publishing and each watching the other; whether
    every subscriber got at least HELD_SHARE of the frames, and the worst share."""
    from asgiref.sync import sync_to_async

    rooms = []
    for _ in range(count):
        a, b, meeting = await sync_to_async(two_colleagues)()
        first = await connect(a, meeting)
        second = await connect(b, meeting)
        await second[1].subscribe(first[1].feed)
        await first[1].wait_for_publisher()
        await first[1].subscribe(second[1].feed)
        rooms.append((first, second))
    watchers = [(w[1], s[1].feed) for f, s in rooms for (w, s) in ((f, s), (s, f))]
    for watcher, feed in watchers:
        await watcher.frames_from(feed, 1, timeout=15)
    before = [watcher.remote[feed].frames for watcher, feed in watchers]
    await asyncio.sleep(hold_s)
    shares = [
        (watcher.remote[feed].frames - start) / (FPS * hold_s)
        for (watcher, feed), start in zip(watchers, before, strict=True)
    ]
    for first, second in rooms:
        await leave(second, first)
    worst = min(shares) if shares else 0.0
    return worst >= HELD_SHARE, worst


async def main_async(args: argparse.Namespace) -> None:
    from django.test import override_settings

    from tests.video.netns import ADMIN_KEY, janus_in_namespace, janus_missing_reason

    if reason := janus_missing_reason():
        sys.exit(f"cannot run Janus: {reason}")
    timings = Timings()
    held = 0
    with tempfile.TemporaryDirectory() as tmp, janus_in_namespace(Path(tmp)) as janus:
        janus_settings = override_settings(XT_JANUS_URL=janus.url, XT_JANUS_ADMIN_KEY=ADMIN_KEY)
        janus_settings.enable()
        try:
            await join_to_first_frame(timings, args.joins)
            for count in range(1, args.max_rooms + 1):
                ok, worst = await hold_rooms(count, args.hold)
                print(f"{count} rooms: worst subscriber got {worst:.0%} of the frames")
                if not ok:
                    break
                held = count
        finally:
            janus_settings.disable()
    table_print(timings, f"Video through Janus ({args.joins} joins, 640×480 at {FPS} fps)")
    values = timings.all_of("join")
    p95 = round(percentile(values, 95), 1)
    verdict = "met" if p95 < GOAL_P95_MS else "MISSED"
    print(f"goal: join → first frame p95 < {GOAL_P95_MS} ms: {verdict}")
    json_line(
        {
            "bench": "video",
            "join_first_frame_p50_ms": round(percentile(values, 50), 1),
            "join_first_frame_p95_ms": p95,
            "rooms_held_count": held,
            "frame_width_px": 640,
            "frame_height_px": 480,
            "frames_per_s": FPS,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--joins", type=int, default=20)
    parser.add_argument("--max-rooms", type=int, default=8)
    parser.add_argument("--hold", type=float, default=6.0)
    args = parser.parse_args()
    setup()
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
