"""The collaboration links pages, for platform administrators only: the list by
institution and service, a link added (never to itself, never twice: said beside the
client, nothing changed), and taken out of use and back, each change audited."""

from __future__ import annotations

from typing import cast

import pytest
from django.urls import reverse

from xietong.accounts.tests.helpers import last_audit, text
from xietong.core.models import AuditEvent
from xietong.directory.models import CollaborationLink, Institution
from xietong.directory.tests.factories import CollaborationLinkFactory

from .conftest import World, client_for

pytestmark = pytest.mark.django_db

LIST = reverse("administration:links")
ADD = reverse("administration:link_add")


def change_url(link: CollaborationLink, change: str) -> str:
    return reverse(
        "administration:link_change",
        kwargs={"provider": link.provider.uuid, "client": link.client.uuid,
                "service": link.service, "change": change},
    )  # fmt: skip


def _link(provider: Institution, client: Institution, service: str) -> CollaborationLink:
    return cast(
        CollaborationLink,
        CollaborationLinkFactory(provider=provider, client=client, service=service),
    )


def _rows(answer: object) -> str:
    """The list under the filters (whose selects name every service)."""
    return text(answer).split('<div id="rows">', 1)[1]


def test_links_are_listed_by_institution_and_service(world: World) -> None:
    _link(world.centre, world.county, "consultation")
    _link(world.county, world.town, "referral")
    client = client_for(world.root)
    assert "协作关系管理" in text(client.get(LIST))
    everything = _rows(client.get(LIST))
    assert "远程会诊" in everything and "双向转诊" in everything
    # An institution's links on either side.
    county = _rows(client.get(LIST, {"institution": str(world.county.uuid)}))
    assert "远程会诊" in county and "双向转诊" in county
    town = _rows(client.get(LIST, {"institution": str(world.town.uuid)}))
    assert "双向转诊" in town and "远程会诊" not in town
    assert "远程会诊" not in _rows(client.get(LIST, {"service": "referral"}))


def test_a_link_is_added_and_audited(world: World) -> None:
    client = client_for(world.root)
    form = text(client.get(ADD))
    assert form.count('data-search-url="/directory/options/institutions/"') == 2
    answer = client.post(ADD, {"provider": str(world.centre.uuid),
                               "client": str(world.town.uuid), "service": "imaging",
                               "since": "2025-03-01"})  # fmt: skip
    assert answer.status_code == 302
    link = CollaborationLink.objects.get(provider=world.centre, client=world.town)
    assert link.service == "imaging" and link.active and str(link.since) == "2025-03-01"
    event = last_audit(world.root.username, "collaboration_link.create")
    assert event.detail["service"] == "imaging"
    page = text(client.get(answer["Location"]))
    assert "现在为 康城镇卫生院 提供影像诊断服务" in page


def test_a_link_to_itself_and_a_second_one_are_refused_beside_the_client(world: World) -> None:
    _link(world.centre, world.county, "consultation")
    client = client_for(world.root)
    before = (CollaborationLink.objects.count(), AuditEvent.objects.count())
    itself = text(client.post(ADD, {"provider": str(world.county.uuid),
                                    "client": str(world.county.uuid),
                                    "service": "referral"}))  # fmt: skip
    assert 'id="id_client_error"' in itself and "机构不能为自己提供服务" in itself
    twice = text(client.post(ADD, {"provider": str(world.centre.uuid),
                                   "client": str(world.county.uuid),
                                   "service": "consultation"}))  # fmt: skip
    assert 'id="id_client_error"' in twice and "已为该机构提供此项服务" in twice
    assert "xt-form-errors" in twice
    # The institutions chosen stay chosen.
    assert f'value="{world.centre.uuid}" selected' in twice
    assert (CollaborationLink.objects.count(), AuditEvent.objects.count()) == before


def test_a_link_is_deactivated_and_reactivated(world: World) -> None:
    link = _link(world.centre, world.county, "consultation")
    client = client_for(world.root)
    answer = client.post(change_url(link, "deactivate"), {"next": f"{LIST}?service=consultation"})
    assert answer["Location"] == f"{LIST}?service=consultation"
    link.refresh_from_db()
    assert not link.active
    assert last_audit(world.root.username, "collaboration_link.deactivate").detail["fields"] == {
        "active": {"from": True, "to": False}
    }
    assert "已停用" in text(client.get(LIST))
    client.post(change_url(link, "reactivate"))
    link.refresh_from_db()
    assert link.active
    assert client.get(change_url(link, "deactivate")).status_code == 405
    assert client.post(change_url(link, "explode")).status_code == 404


def test_others_are_refused_every_link_page(world: World) -> None:
    link = _link(world.centre, world.county, "consultation")
    for user in (world.county_admin, world.doctor):
        client = client_for(user)
        for url in (LIST, ADD):
            assert client.get(url).status_code == 403, (user.username, url)
        assert client.post(change_url(link, "deactivate")).status_code == 403
        answer = client.post(ADD, {"provider": str(world.centre.uuid),
                                   "client": str(world.town.uuid), "service": "ecg"})  # fmt: skip
        assert answer.status_code == 403
    link.refresh_from_db()
    assert link.active and CollaborationLink.objects.count() == 1
