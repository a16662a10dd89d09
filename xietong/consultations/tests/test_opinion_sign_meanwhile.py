"""Signing checks the step first, then the password holding no lock, then takes the row.
When someone acts while the password is checked, the signature covers what is there then,
not what was read before; when nobody did, what was read is signed without reading it
again. The change is made by a real service call at the moment the password is read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection

from xietong.accounts.tests.factories import PASSWORD
from xietong.consultations import services as s
from xietong.consultations.models import Consultation, Opinion
from xietong.core.errors import Conflict

from .world import World

pytestmark = pytest.mark.django_db


@contextmanager
def when_the_password_is_read(act: Callable[[], None]) -> Iterator[None]:
    """Runs `act` once, just before the signer's account row is read for the password."""
    done = False

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal done
        if not done and 'FROM "accounts_user"' in sql and '"password"' in sql:
            done = True
            act()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield
    assert done, "the password was never read"


def _drafted(world: World, diagnosis: str) -> Consultation:
    c = world.to("in_progress")
    s.consultation_opinion_draft_save(
        actor=world.expert_actor, consultation=c, diagnosis=diagnosis, recommendations="冠脉造影"
    )
    return Consultation.objects.get(pk=c.pk)


def test_a_draft_saved_while_the_password_is_checked_is_what_gets_signed(world: World) -> None:
    c = _drafted(world, "心绞痛")

    def another_tab_saves() -> None:
        s.consultation_opinion_draft_save(
            actor=world.expert_actor,
            consultation=Consultation.objects.get(pk=c.pk),
            diagnosis="急性心肌梗死",
        )

    with when_the_password_is_read(another_tab_saves):
        signed = s.consultation_opinion_sign(
            actor=world.expert_actor, consultation=c, password=PASSWORD
        )
    assert signed.diagnosis == "急性心肌梗死"
    stored = Opinion.objects.get(pk=signed.pk)
    assert stored.diagnosis == "急性心肌梗死" and stored.signed_at is not None
    assert Opinion.objects.filter(consultation=c).count() == 1


def test_a_second_tab_that_signs_first_leaves_this_signature_refused(world: World) -> None:
    c = _drafted(world, "心绞痛")

    def another_tab_signs() -> None:
        s.consultation_opinion_sign(
            actor=world.expert_actor,
            consultation=Consultation.objects.get(pk=c.pk),
            password=PASSWORD,
        )

    with when_the_password_is_read(another_tab_signs), pytest.raises(Conflict):
        s.consultation_opinion_sign(actor=world.expert_actor, consultation=c, password=PASSWORD)
    assert Opinion.objects.filter(consultation=c, signed_at__isnull=False).count() == 1
    assert Consultation.objects.get(pk=c.pk).status == "opinion_signed"
