"""The room page, the meetings page, and the "join video" control on other pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from xietong.accounts.models import User
from xietong.consultations.models import Consultation
from xietong.consultations.tests.world import World, member
from xietong.core.actor import Actor
from xietong.video.models import Meeting

pytestmark = pytest.mark.django_db


def _client(actor: Actor) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=actor.user_id))
    return client


def _tag(actor: Actor | None, consultation: Consultation) -> str:
    request = RequestFactory().get("/")
    template = Template("{% load video %}{% video_join 'consultation' c.uuid %}")
    return template.render(Context({"actor": actor, "c": consultation, "request": request}))


def test_the_room_page_shows_the_call_and_the_consultations_chat(world: World) -> None:
    consultation = world.to("in_progress", mode="realtime")
    response = _client(world.expert_actor).get(f"/video/rooms/consultation/{consultation.uuid}/")
    text = response.content.decode()
    assert response.status_code == 200
    assert consultation.number in text
    for label in ("静音", "关闭摄像头", "共享屏幕", "离开", "参会者"):
        assert label in text
    assert f"/api/v1/video/rooms/consultation/{consultation.uuid}/join" in text
    assert 'data-ws="/ws/threads/' in text  # the chat beside the video


def test_the_room_page_is_not_found_for_an_outsider(world: World) -> None:
    consultation = world.to("in_progress", mode="realtime")
    outsider = member(world.hospital, "requester")
    response = _client(outsider).get(f"/video/rooms/consultation/{consultation.uuid}/")
    assert response.status_code == 404


def test_join_control_appears_near_the_booked_time_for_those_admitted(world: World) -> None:
    consultation = world.to("scheduled")
    assert consultation.scheduled_start is not None
    assert _tag(world.requester, consultation) == ""  # two days ahead
    Consultation.objects.filter(pk=consultation.pk).update(
        scheduled_start=timezone.now() + dt.timedelta(minutes=10)
    )
    shown = _tag(world.requester, consultation)
    assert "加入视频" in shown and f"/video/rooms/consultation/{consultation.uuid}/" in shown
    assert _tag(member(world.hospital, "requester"), consultation) == ""
    assert _tag(None, consultation) == ""


def test_a_doctor_starts_a_meeting_with_a_colleague_from_the_meetings_page(world: World) -> None:
    colleague = member(world.county, "requester")
    colleague_user = User.objects.get(pk=colleague.user_id)
    client = _client(world.requester)
    page = client.get("/video/")
    assert str(colleague_user) in page.content.decode()

    refused = client.post("/video/", {"title": "", "invitees": []})
    assert refused.status_code == 422
    assert "请填写会议主题" in refused.content.decode()
    assert not Meeting.objects.exists()

    created = client.post("/video/", {"title": "病房查房", "invitees": [str(colleague_user.uuid)]})
    meeting = Meeting.objects.get()
    assert created.status_code == 302
    assert created["Location"] == f"/video/rooms/meeting/{meeting.uuid}/"
    assert "病房查房" in _client(colleague).get("/video/").content.decode()


def test_the_consultation_workspace_offers_the_join_control_during_the_consultation(
    world: World,
) -> None:
    live = world.to("in_progress", mode="realtime")
    written = world.to("in_progress")
    expert = _client(world.expert_actor)
    text = expert.get(f"/consultations/{live.uuid}/").content.decode()
    assert "加入视频" in text and f"/video/rooms/consultation/{live.uuid}/" in text
    assert "加入视频" not in expert.get(f"/consultations/{written.uuid}/").content.decode()


def test_the_meetings_page_asks_for_the_meeting_s_subject_not_a_professional_title(
    world: World,
) -> None:
    # "Title" means a practitioner's title (职称) in the directory and a meeting's subject
    # (主题) here: each says which, or the catalogues merge them into one.
    client = _client(world.requester)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("video:meetings")).content.decode()
    assert '<label class="form-label" for="meeting-title">主题</label>' in page
    assert "职称" not in page
