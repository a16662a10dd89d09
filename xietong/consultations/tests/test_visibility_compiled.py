"""The visibility read every page and step of a consultation starts with is compiled once per
kind of actor (core/rows.py), and still answers each actor for themselves: the experts of
two consultations, two requesting hospitals and the centre, in turn, each see what the rule
says and nothing else, whichever of them the SQL was first made for."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection

from xietong.consultations import services as svc
from xietong.consultations.access import visible_consultations_q
from xietong.consultations.models import Consultation
from xietong.consultations.selectors import _VISIBLE_ROWS, get_consultation_for
from xietong.core.actor import Actor
from xietong.core.errors import NotFound
from xietong.core.reads import CHANGE

from .world import make_world, member

pytestmark = pytest.mark.django_db


def _sees(actor: Actor, consultation: Consultation) -> bool:
    try:
        found = get_consultation_for(
            actor=actor, consultation_uuid=consultation.uuid, intent=CHANGE
        )
    except NotFound:
        return False
    assert found.pk == consultation.pk
    return True


def _rule(actor: Actor, consultation: Consultation) -> bool:
    """What Django's own compilation of the rule answers, query by query."""
    return Consultation.objects.filter(visible_consultations_q(actor), pk=consultation.pk).exists()


def test_each_actor_sees_what_the_rule_says_on_the_compiled_read() -> None:
    a, b = make_world(), make_world()
    ca = a.to("assigned")
    cb = b.to("assigned")
    # b's expert also takes a's consultation: one expert sees both.
    svc.consultation_triage_assign(
        actor=a.coordinator, consultation=a.to("triage"), experts=[b.expert]
    )
    ca2 = Consultation.objects.filter(requesting_institution=a.county).exclude(pk=ca.pk).get()
    draft = a.to("draft")
    stranger = member(b.county, "requester", "expert")
    actors = [a.expert_actor, b.expert_actor, a.requester, b.requester, a.qc, b.coordinator,
              stranger]  # fmt: skip
    consultations = [ca, cb, ca2, draft]
    expected = {
        (i, j): _rule(actor, c)
        for (i, actor), (j, c) in itertools.product(enumerate(actors), enumerate(consultations))
    }
    # The rule itself, as a person reads it: the draft only its own requesters see.
    assert expected[(2, 3)] and not expected[(4, 3)] and not expected[(0, 3)]
    assert expected[(1, 2)] and not expected[(0, 1)] and not expected[(6, 0)]
    for _round in range(3):  # the first calls compile; later ones reuse the SQL
        for (i, actor), (j, c) in itertools.product(enumerate(actors), enumerate(consultations)):
            assert _sees(actor, c) == expected[(i, j)], (i, j)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite converts UUIDs")
def test_on_postgresql_the_read_is_compiled_once_per_kind_of_actor() -> None:
    worlds = [make_world() for _ in range(3)]
    for w in worlds:
        c = w.to("assigned")
        for actor in (w.expert_actor, w.requester, w.coordinator):
            assert _sees(actor, c)
    checked = [plan for plan in _VISIBLE_ROWS._plans.values() if getattr(plan, "checked", False)]
    assert len(checked) >= 3  # expert, requester and centre shapes
