"""Closing: the requester acknowledges the signed opinion and rates it."""

from __future__ import annotations

import pytest
from django.test import Client

from xietong.accounts.models import User
from xietong.consultations.tests.world import World
from xietong.core.actor import Actor

pytestmark = pytest.mark.django_db


def sign_in(client: Client, actor: Actor) -> Client:
    client.force_login(User.objects.get(pk=actor.user_id))
    client.cookies["django_language"] = "zh-hans"
    return client


def test_requester_rates_and_completes(client: Client, world: World) -> None:
    c = world.to("opinion_signed")
    sign_in(client, world.requester)
    page = client.get(f"/consultations/{c.uuid}/").content.decode()
    assert "确认会诊意见并评价" in page and 'name="rating"' in page
    response = client.post(
        f"/consultations/{c.uuid}/acknowledge", {"rating": "5", "comment": "意见清晰"}, follow=True
    )
    c.refresh_from_db()
    assert (c.status, c.rating, c.rating_comment) == ("completed", 5, "意见清晰")
    done = response.content.decode()
    assert "会诊已完成" in done and "评分 5 / 5" in done and 'name="rating"' not in done


@pytest.mark.parametrize("rating", ["", "0", "6", "abc"])
def test_a_bad_rating_is_told_and_changes_nothing(
    client: Client, world: World, rating: str
) -> None:
    c = world.to("opinion_signed")
    sign_in(client, world.requester)
    response = client.post(
        f"/consultations/{c.uuid}/acknowledge", {"rating": rating, "comment": "好"}
    )
    assert response.status_code == 422
    assert "请对会诊意见评 1 至 5 分" in response.content.decode()
    c.refresh_from_db()
    assert c.status == "opinion_signed" and c.rating is None


def test_only_the_requester_acknowledges(client: Client, world: World) -> None:
    c = world.to("opinion_signed")
    sign_in(client, world.coordinator)
    assert 'name="rating"' not in client.get(f"/consultations/{c.uuid}/").content.decode()
    # A coordinator's role never acknowledges an opinion: refused outright (403).
    response = client.post(f"/consultations/{c.uuid}/acknowledge", {"rating": "4"})
    assert response.status_code == 403
    c.refresh_from_db()
    assert c.status == "opinion_signed"


def test_acknowledging_twice_tells_the_second_time(client: Client, world: World) -> None:
    c = world.to("completed")
    sign_in(client, world.requester)
    response = client.post(f"/consultations/{c.uuid}/acknowledge", {"rating": "1"}, follow=True)
    c.refresh_from_db()
    assert c.rating == 4
    assert "alert alert-danger py-2 msg-error" in response.content.decode()
