"""A real call through Janus (our configuration, in a network namespace of the test's own):
two aiortc peers join a consultation's room through Xietong's API and signalling, publish
a 640×480 picture, receive each other's frames, and leave. An outsider is refused."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from xietong.accounts.models import User
from xietong.consultations.tests.world import member
from xietong.directory.tests.factories import InstitutionFactory
from xietong.video.models import CallSession

from .calls import api_join, closed, live_consultation, peer, socket_for
from .netns import JanusInNamespace

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.anyio]


async def test_two_doctors_see_each_other_through_janus(with_janus: JanusInNamespace) -> None:
    world, subject = await live_consultation()
    joins = []
    for actor in (world.requester, world.expert_actor):
        response = await sync_to_async(api_join)(actor, subject)
        assert response.status_code == 200, response.content
        joins.append(response.json())
    assert joins[0]["mode"] == "janus" and joins[0]["room"] == joins[1]["room"]
    assert "secret" not in str(joins) and "pin" not in str(joins).lower()

    sockets = [socket_for(j) for j in joins]
    for socket in sockets:
        assert (await socket.connect())[0]
    county, expert = (peer(s) for s in sockets)

    await county.join()
    await county.publish()
    await expert.join()
    # A publisher is announced once its media is up, so it may come after the welcome.
    assert await expert.wait_for_publisher() == county.feed
    await expert.publish()
    from_county = await expert.subscribe(county.feed)
    expert_feed = await county.wait_for_publisher()
    assert expert_feed == expert.feed
    from_expert = await county.subscribe(expert_feed)

    for remote in (
        await expert.frames_from(county.feed, 10),
        await county.frames_from(expert_feed, 10),
    ):
        assert remote.frames >= 10, f"only {remote.frames} frames from {remote.display}"
        assert remote.size == (640, 480)
    assert from_county.display and from_expert.display

    for person, socket in ((county, sockets[0]), (expert, sockets[1])):
        await person.leave()
        assert await closed(socket) == 1000
        await socket.disconnect()
    calls: list[CallSession] = await sync_to_async(
        lambda: list(CallSession.objects.order_by("pk"))
    )()
    assert len(calls) == 2
    assert all(c.left_at is not None and c.drops == 0 for c in calls)


async def test_an_outsider_is_refused_at_the_api_and_at_the_socket(
    with_janus: JanusInNamespace,
) -> None:
    world, subject = await live_consultation()
    outsider = await sync_to_async(
        lambda: member(InstitutionFactory(level="county", name="乙县医院"), "requester")  # type: ignore[arg-type]
    )()
    refused = await sync_to_async(api_join)(outsider, subject)
    assert refused.status_code == 404

    # The requester's credential, presented from the outsider's signed-in page.
    response = await sync_to_async(api_join)(world.requester, subject)
    join = response.json()
    outsider_user = await sync_to_async(User.objects.get)(pk=outsider.user_id)
    socket = socket_for(join, user=outsider_user)
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from(timeout=10))["type"] == "refused"
    assert await closed(socket) == 4403

    forged = socket_for({**join, "credential": join["credential"][:-3] + "abc"})
    assert (await forged.connect())[0]
    message = await forged.receive_json_from(timeout=10)
    assert message["type"] == "refused" and message["message"] == "入会凭证无效。"
    assert (await sync_to_async(CallSession.objects.count)()) == 0
