"""Whoever acts, each person told reads the notification in their own language."""

from __future__ import annotations

import pytest
from django.utils import translation

from xietong.consultations.services import consultation_expert_accept
from xietong.notifications.models import Notification

from .world import World

pytestmark = pytest.mark.django_db


def test_an_expert_reading_english_tells_the_centre_in_each_readers_language(
    world: World,
) -> None:
    c = world.to("assigned")
    with translation.override("en"):
        consultation_expert_accept(actor=world.expert_actor, consultation=c)
    told = Notification.objects.filter(kind="consultation.expert_accept").values_list(
        "recipient_id", flat=True
    )
    assert told, "the coordinators are told"
    with translation.override("zh-hans"):
        shown = Notification.objects.filter(kind="consultation.expert_accept").first()
        assert shown is not None and shown.title == "会诊已接诊"
        assert shown.body.startswith(f"{c.number}: ")
    with translation.override("en"):
        shown = Notification.objects.filter(kind="consultation.expert_accept").first()
        assert shown is not None and shown.title == "Consultation accepted"
