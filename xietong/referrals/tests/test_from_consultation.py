"""Refer from this consultation: the form opens with what the consultation says (diagnosis,
reason, summary with the opinion, its records, the advised institution) and warns, naming
it, when the advised institution is not one the doctor's institution refers to."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client

from xietong.accounts.models import User
from xietong.consultations.models import Opinion
from xietong.consultations.services import (
    consultation_opinion_draft_save,
    consultation_opinion_sign,
)
from xietong.consultations.tests.world import make_world as consultation_world
from xietong.core.models import AuditEvent
from xietong.directory.models import Institution
from xietong.directory.tests.factories import CollaborationLinkFactory, InstitutionFactory

pytestmark = pytest.mark.django_db


def _signed(to: Institution | None = None, note: str = "心血管内科") -> Any:
    """A signed opinion advising referral to `to` (the world's provincial hospital, one the
    county refers to, when None), with `note` beside it."""
    cw = consultation_world()
    c = cw.to("in_progress")
    consultation_opinion_draft_save(
        actor=cw.expert_actor, consultation=c, diagnosis="不稳定型心绞痛",
        recommendations="建议冠脉造影", referral_advised=True,
        referral_to_institution=str((to or cw.hospital).uuid), referral_to=note,
    )  # fmt: skip
    consultation_opinion_sign(actor=cw.expert_actor, consultation=c, password="Correct-Horse-42")
    CollaborationLinkFactory(provider=cw.hospital, client=cw.county, service="referral")
    return cw, c


def _signed_in_words(referral_to: str) -> Any:
    """An opinion signed before institutions were picked: where to, in words only."""
    cw, c = _signed()
    Opinion.objects.filter(consultation=c).update(
        referral_to_institution=None, referral_to=referral_to
    )
    return cw, c


def _form(cw: Any, c: Any) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(pk=cw.requester.user_id))
    answer = client.get(f"/referrals/new/?patient={cw.patient.uuid}&consultation={c.uuid}")
    assert answer.status_code == 200
    return answer.content.decode()


def test_the_form_carries_the_consultation_over_and_picks_the_advised_partner() -> None:
    cw, c = _signed()
    page = _form(cw, c)
    assert "不稳定型心绞痛" in page and "建议冠脉造影" in page and c.number in page
    assert f'value="{cw.hospital.pk}" selected' in page
    assert "data-advised-elsewhere" not in page
    # The reason says where, as the opinion reads: the institution and the department.
    assert f"（转至{cw.hospital.name} · 心血管内科）" in page


def test_showing_the_consultation_on_the_form_is_an_audited_read() -> None:
    cw, c = _signed()
    before = AuditEvent.objects.filter(action="consultation.read", resource_id=str(c.uuid)).count()
    _form(cw, c)
    reads = AuditEvent.objects.filter(action="consultation.read", resource_id=str(c.uuid))
    assert reads.count() == before + 1
    assert reads.order_by("-id").first().user_id == cw.requester.user_id  # type: ignore[union-attr]


def test_an_advised_institution_outside_the_partners_is_warned_about_by_name() -> None:
    elsewhere = cast(Institution, InstitutionFactory(name="北京协和医院", level="provincial"))
    cw, c = _signed(to=elsewhere, note="")
    page = _form(cw, c)
    warning = page.split("data-advised-elsewhere")[1].split("</div>")[0]
    assert "会诊意见建议转诊至北京协和医院，但该院不在本机构的转诊协作医院之中" in warning
    assert f'value="{cw.hospital.pk}" selected' not in page


def test_an_older_opinion_in_words_is_matched_to_the_partners() -> None:
    cw, c = _signed_in_words(referral_to="省人民医院心血管内科")
    page = _form(cw, c)
    assert f'value="{cw.hospital.pk}" selected' in page
    assert "data-advised-elsewhere" not in page
    cw, c = _signed_in_words(referral_to="北京协和医院")
    page = _form(cw, c)
    assert "data-advised-elsewhere" in page and "北京协和医院" in page


def test_another_patients_consultation_carries_nothing_over() -> None:
    cw, _opinion_of = _signed()
    other = consultation_world()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(pk=cw.requester.user_id))
    elsewhere = other.to("submitted").uuid
    answer = client.get(f"/referrals/new/?patient={cw.patient.uuid}&consultation={elsewhere}")
    assert answer.status_code == 200
    assert "不稳定型心绞痛" not in answer.content.decode()


def test_the_form_from_a_consultation_costs_a_fixed_number_of_statements() -> None:
    from xietong.core.tests.statements import statements_at_most

    cw, c = _signed()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(User.objects.get(pk=cw.requester.user_id))
    url = f"/referrals/new/?patient={cw.patient.uuid}&consultation={c.uuid}"
    client.get(url)  # the session and the caches warmed
    # The session and the actor, the patient's and the consultation's audited reads, the
    # opinion and the records to share, the partners, the diagnosis's title in the code
    # list, the calendar, the navigation's counts (with the imaging reports whose critical
    # finding the requester has not acknowledged yet).
    with statements_at_most(33):
        assert client.get(url).status_code == 200
