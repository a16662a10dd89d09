"""The referral lists show patients' names: one audit event per page shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import User
from xietong.core.models import AuditEvent

from .world import World

pytestmark = pytest.mark.django_db


def test_the_referral_lists_are_audited_once_per_page(client: Client, world: World) -> None:
    r = world.request()
    for actor, url in ((world.sender, "referrals:outgoing"), (world.desk, "referrals:incoming")):
        client.force_login(User.objects.get(pk=actor.user_id))
        page = client.get(reverse(url))
        assert page.status_code == 200 and r.patient.name in page.content.decode()
        (event,) = AuditEvent.objects.filter(
            username=actor.username, action="service_request.search", resource_type="ServiceRequest"
        )
        assert event.detail["patient_ids"] == [r.patient_id]
        assert event.patient_id == r.patient_id  # one patient on the page: their read
