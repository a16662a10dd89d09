"""Collaboration links added and taken out of use by a platform administrator: never to
itself, never twice, each change audited."""

from __future__ import annotations

import datetime

import pytest

from xietong.core.errors import Conflict, NotPermitted, ValidationFailed
from xietong.core.models import AuditEvent
from xietong.directory.models import CollaborationLink, Institution
from xietong.directory.selectors import collaboration_link_exists
from xietong.directory.services import (
    collaboration_link_create,
    collaboration_link_deactivate,
    collaboration_link_reactivate,
)
from xietong.directory.tests.administrators import an_institution, directory_admin

pytestmark = pytest.mark.django_db


def _pair() -> tuple[Institution, Institution]:
    return (
        an_institution(name="省人民医院", level="provincial"),
        an_institution(name="金桥县医院"),
    )


def test_a_link_is_added_used_and_taken_out_of_use() -> None:
    provider, client = _pair()
    root = directory_admin(provider, "platform_admin")
    link = collaboration_link_create(
        actor=root,
        provider=provider,
        client=client,
        service="referral",
        since=datetime.date(2024, 5, 1),
    )
    assert collaboration_link_exists(
        provider_id=provider.pk, client_id=client.pk, service="referral"
    )
    created = AuditEvent.objects.get(action="collaboration_link.create")
    assert created.detail == {
        "provider": provider.code,
        "client": client.code,
        "service": "referral",
        "since": "2024-05-01",
    }
    collaboration_link_deactivate(actor=root, link=link)
    assert not collaboration_link_exists(
        provider_id=provider.pk, client_id=client.pk, service="referral"
    )
    with pytest.raises(Conflict):
        collaboration_link_deactivate(actor=root, link=link)
    collaboration_link_reactivate(actor=root, link=link)
    link.refresh_from_db()
    assert link.active
    assert AuditEvent.objects.filter(action__startswith="collaboration_link.").count() == 3


def test_a_link_to_itself_or_twice_is_refused_beside_the_client() -> None:
    provider, client = _pair()
    root = directory_admin(provider, "platform_admin")
    with pytest.raises(ValidationFailed) as refused:
        collaboration_link_create(
            actor=root, provider=provider, client=provider, service="consultation", since=None
        )
    assert set(refused.value.fields) == {"client"}
    CollaborationLink.objects.create(
        provider=provider, client=client, service="imaging", active=False
    )
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        collaboration_link_create(
            actor=root, provider=provider, client=client, service="imaging", since=None
        )
    assert "重新启用" in str(refused.value.fields["client"][0])
    assert CollaborationLink.objects.filter(service="imaging").count() == 1
    assert AuditEvent.objects.count() == before


def test_missing_parts_and_a_future_date_are_named() -> None:
    provider, _client = _pair()
    root = directory_admin(provider, "platform_admin")
    with pytest.raises(ValidationFailed) as refused:
        collaboration_link_create(
            actor=root,
            provider=None,
            client=None,
            service="massage",
            since=datetime.date.today() + datetime.timedelta(days=2),
        )
    assert set(refused.value.fields) == {"provider", "client", "service", "since"}
    assert not CollaborationLink.objects.exists()


def test_an_institution_administrator_adds_no_link() -> None:
    provider, client = _pair()
    for actor in (
        directory_admin(client, "institution_admin"),
        directory_admin(provider, "platform_admin", permissions=()),
    ):
        with pytest.raises(NotPermitted):
            collaboration_link_create(
                actor=actor, provider=provider, client=client, service="consultation", since=None
            )
    assert not CollaborationLink.objects.exists()
