"""The centre's inbox and its quality check: pass, or return with a comment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xietong.consultations.models import Consultation, Status
from xietong.consultations.services import consultation_qc_pass

from .pages_request import sign_in, text
from .world import World

pytestmark = pytest.mark.django_db


def test_inbox_lists_new_requests_for_qc(client: Client, world: World) -> None:
    submitted = world.to("submitted")
    draft = world.to("draft")
    sign_in(client, world.qc)
    page = text(client.get(reverse("consultations:inbox")))
    assert submitted.number in page and draft.number not in page
    assert reverse("consultations:qc", args=[submitted.uuid]) in page


def test_inbox_flags_overdue(client: Client, world: World) -> None:
    c = world.to("submitted")
    Consultation.objects.filter(pk=c.pk).update(accept_by=timezone.now() - dt.timedelta(hours=1))
    sign_in(client, world.qc)
    page = text(client.get(reverse("consultations:inbox"), {"overdue": "on"}))
    assert c.number in page and "Overdue" in page


def test_qc_page_shows_the_request(client: Client, world: World) -> None:
    c = world.to("submitted")
    sign_in(client, world.qc)
    page = text(client.get(reverse("consultations:qc", args=[c.uuid])))
    assert c.chief_complaint in page and c.diagnosis_text in page
    assert "Pass the quality check" in page


def test_pass(client: Client, world: World) -> None:
    c = world.to("submitted")
    sign_in(client, world.qc)
    response = client.post(
        reverse("consultations:qc", args=[c.uuid]), {"action": "pass"}, follow=True
    )
    assert "Quality check passed" in text(response)
    c.refresh_from_db()
    assert c.status == Status.TRIAGE


def test_return_needs_a_comment(client: Client, world: World) -> None:
    c = world.to("submitted")
    sign_in(client, world.qc)
    url = reverse("consultations:qc", args=[c.uuid])
    response = client.post(url, {"action": "return", "comment": " "})
    assert response.status_code == 422 and "Say what is missing." in text(response)
    c.refresh_from_db()
    assert c.status == Status.SUBMITTED
    response = client.post(url, {"action": "return", "comment": "请补充心电图"}, follow=True)
    assert "Returned to the requester" in text(response)
    c.refresh_from_db()
    assert c.status == Status.RETURNED


def test_someone_else_passed_it_meanwhile(client: Client, world: World) -> None:
    c = world.to("submitted")
    sign_in(client, world.qc)
    url = reverse("consultations:qc", args=[c.uuid])
    client.get(url)
    consultation_qc_pass(actor=world.qc, consultation=c)
    response = client.post(url, {"action": "return", "comment": "缺资料"}, follow=True)
    assert "awaiting triage" in text(response)
    c.refresh_from_db()
    assert c.status == Status.TRIAGE


def test_coordinator_is_not_qc(client: Client, world: World) -> None:
    c = world.to("submitted")
    sign_in(client, world.coordinator)
    url = reverse("consultations:qc", args=[c.uuid])
    assert client.post(url, {"action": "pass"}).status_code == 403
    c.refresh_from_db()
    assert c.status == Status.SUBMITTED


def test_requester_has_no_inbox(client: Client, world: World) -> None:
    sign_in(client, world.requester)
    assert client.get(reverse("consultations:inbox")).status_code == 403


def test_home_card_for_qc(client: Client, world: World) -> None:
    world.to("submitted")
    sign_in(client, world.qc)
    page = text(client.get(reverse("home")))
    assert "Requests awaiting quality check" in page
