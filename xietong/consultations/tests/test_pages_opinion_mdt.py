"""MDT: each expert signs their part, then the lead signs the summary."""

from __future__ import annotations

import pytest
from django.test import Client

from xietong.accounts.models import User
from xietong.accounts.tests.factories import PASSWORD
from xietong.consultations import services as s
from xietong.consultations.models import Kind, Opinion
from xietong.consultations.tests.world import World
from xietong.core.actor import Actor

pytestmark = pytest.mark.django_db


def sign_in(client: Client, actor: Actor) -> Client:
    client.force_login(User.objects.get(pk=actor.user_id))
    client.cookies["django_language"] = "zh-hans"
    return client


def test_parts_then_summary(client: Client, world: World) -> None:
    second, second_actor = world.more_expert()
    c = world.to("triage", kind=Kind.MDT)
    c = s.consultation_triage_assign(
        actor=world.coordinator, consultation=c, experts=[world.expert, second], lead=world.expert
    )
    s.consultation_expert_accept(actor=world.expert_actor, consultation=c)
    s.consultation_expert_accept(actor=second_actor, consultation=c)
    c.refresh_from_db()
    c = s.consultation_start(actor=world.expert_actor, consultation=c)
    sign_url = f"/consultations/{c.uuid}/opinion/sign"
    part = {"diagnosis": "肺腺癌", "recommendations": "靶向治疗", "password": PASSWORD}

    sign_in(client, world.expert_actor)
    # The summary before every part is signed: refused, told, nothing signed.
    refused = client.post(sign_url, {**part, "summary": "1"}, follow=True)
    assert "须先由每位专家签署各自意见" in refused.content.decode()
    assert not Opinion.objects.filter(signed_at__isnull=False).exists()
    assert client.post(sign_url, part).status_code == 302

    sign_in(client, second_actor)
    page = client.get(f"/consultations/{c.uuid}/opinion/").content.decode()
    assert "我的 MDT 分项意见" in page and "综合意见（牵头专家）" not in page
    assert client.post(sign_url, {**part, "recommendations": "放疗"}).status_code == 302
    c.refresh_from_db()
    assert c.status == "in_progress"

    sign_in(client, world.expert_actor)
    editor = client.get(f"/consultations/{c.uuid}/opinion/?summary=1").content.decode()
    assert "其他专家已签署的分项意见" in editor and "放疗" in editor
    summary = {**part, "recommendations": "先靶向后评估放疗", "summary": "1"}
    assert client.post(sign_url, summary).status_code == 302
    c.refresh_from_db()
    assert c.status == "opinion_signed"
    page = client.get(f"/consultations/{c.uuid}/").content.decode()
    assert "MDT 综合意见" in page and "先靶向后评估放疗" in page and "放疗" in page
    pdf = client.get(f"/consultations/{c.uuid}/opinion/v1.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
