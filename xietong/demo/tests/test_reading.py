"""The demo's reading worklist: the imaging centre that serves county A has studies to
read (one overdue) and a preliminary report waiting for its senior, and the reader and the
senior who sign in find that work."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership, User
from xietong.demo.seed import demo_seed
from xietong.demo.tests.test_activity import WORKING_AFTERNOON
from xietong.imaging.reading.machine import reading_actions
from xietong.imaging.reading.models import ReadingRequest, Status
from xietong.imaging.reading.selectors import worklist_for

pytestmark = pytest.mark.django_db


def test_the_reader_and_the_senior_find_their_work() -> None:
    with time_machine.travel(WORKING_AFTERNOON, tick=False):
        demo_seed(scale="small")
        reader = actor_for_membership(Membership.objects.get(user__username="reader"))
        senior = actor_for_membership(Membership.objects.get(user__username="reader_senior"))
        rows = worklist_for(actor=reader)
        assert sorted(r.status for r in rows) == ["preliminary", "requested", "requested"]
        first = rows[0]
        assert first.urgency == "urgent" and first.is_overdue  # type: ignore[attr-defined]
        waiting = ReadingRequest.objects.get(status=Status.PRELIMINARY)
        assert reading_actions(actor=senior, reading=waiting) == ["sign", "return"]
        assert all(r.requesting_user.username == "doctor_county" for r in rows)
        browser = Client()
        browser.force_login(User.objects.get(username="reader"))
        page = browser.get(reverse("imaging:worklist")).content.decode()
        assert waiting.number in page and "已超时" in page
