"""The signing password is no oracle: state, role and visibility are checked before it, so
a refusal reads the same with the right password and a wrong one; and wrong signing
passwords count toward the sign-in lock, so a stolen session or token cannot try them one
after another. Through the API and through the editor's form."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import Membership, User
from xietong.accounts.tests.factories import PASSWORD, make_totp_device
from xietong.accounts.tokens import api_token_issue
from xietong.consultations.models import Consultation, Opinion
from xietong.consultations.services import consultation_opinion_draft_save
from xietong.core.actor import Actor
from xietong.core.models import AuditEvent
from xietong.patients.tests.factories import an_institution

from .world import World, member

pytestmark = pytest.mark.django_db

WRONG = "Wrong-Password-7"
LIMIT = 5  # XT_LOGIN_FAILURE_LIMIT's default, as in the sign-in tests
CONTENT = {"diagnosis": "不稳定型心绞痛", "recommendations": "冠脉造影"}


def _user(actor: Actor) -> User:
    return User.objects.get(pk=actor.user_id)


def _api(actor: Actor) -> Client:
    membership = Membership.objects.get(pk=actor.membership_id or 0)
    key = api_token_issue(membership=membership)[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")


def _api_sign(client: Client, c: Consultation, password: str) -> tuple[int, Any]:
    response = client.post(
        f"/api/v1/consultations/{c.uuid}/opinion/sign",
        {"password": password},
        content_type="application/json",
    )
    return response.status_code, response.json()


def _drafted(world: World) -> Consultation:
    c = world.to("in_progress")
    consultation_opinion_draft_save(
        actor=world.expert_actor,
        consultation=c,
        diagnosis=CONTENT["diagnosis"],
        recommendations=CONTENT["recommendations"],
    )
    return c


def _failures(actor: Actor) -> int:
    attempts = AccessAttempt.objects.filter(username=_user(actor).username)
    return sum(a.failures_since_start for a in attempts)


def _signed(c: Consultation) -> bool:
    return Opinion.objects.filter(consultation=c, signed_at__isnull=False).exists()


def test_api_wrong_state_answers_the_same_whatever_the_password(world: World) -> None:
    c = world.to("accepted")  # not started: nothing may be signed yet
    client = _api(world.expert_actor)
    right, wrong = _api_sign(client, c, PASSWORD), _api_sign(client, c, WRONG)
    assert right == wrong and right[0] == 409
    assert _failures(world.expert_actor) == 0  # the password was never looked at


def test_api_wrong_role_answers_the_same_whatever_the_password(world: World) -> None:
    c = _drafted(world)
    parties = (
        (world.coordinator, 403),  # sees it; the role never signs an opinion
        (member(world.county, "requester"), 403),
        (member(an_institution(), "expert"), 404),  # does not see it at all
    )
    for actor, status in parties:
        client = _api(actor)
        right, wrong = _api_sign(client, c, PASSWORD), _api_sign(client, c, WRONG)
        assert right == wrong and right[0] == status
        assert _failures(actor) == 0
    assert not _signed(c)


def test_a_wrong_password_reads_the_same_with_or_without_a_second_factor(world: World) -> None:
    c = _drafted(world)
    plain = _api_sign(_api(world.expert_actor), c, "")
    make_totp_device(_user(world.expert_actor))
    with_device = _api_sign(_api(world.expert_actor), c, "")
    assert plain == with_device and plain[0] == 422 and set(plain[1]["fields"]) == {"password"}


def test_api_wrong_signing_passwords_lock_the_account(world: World) -> None:
    c = _drafted(world)
    client = _api(world.expert_actor)
    answers = [_api_sign(client, c, WRONG) for _ in range(LIMIT)]
    assert [status for status, _body in answers] == [422] * (LIMIT - 1) + [429]
    assert len({str(body) for _status, body in answers[:-1]}) == 1
    assert answers[-1][1]["code"] == "locked"
    # Locked: the right password signs nothing, and the sign-in page refuses it too.
    assert _api_sign(client, c, PASSWORD)[0] != 200
    assert not _signed(c)
    username = _user(world.expert_actor).username
    sign_in = Client().post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert sign_in.status_code == 429
    failures = AuditEvent.objects.filter(username=username, action="login.failure").count()
    assert failures >= LIMIT


def _browser(actor: Actor) -> Client:
    client = Client()
    client.force_login(_user(actor))
    client.cookies["django_language"] = "zh-hans"
    return client


def _page_sign(client: Client, c: Consultation, password: str) -> tuple[int, str, str]:
    """The answer: its status, where it sends the browser, and what the page then says."""
    response = client.post(
        f"/consultations/{c.uuid}/opinion/sign", {**CONTENT, "password": password}
    )
    if response.status_code != 302:
        return response.status_code, "", response.content.decode()
    shown = client.get(response["Location"])
    said = " ".join(str(m) for m in shown.context["messages"])
    return response.status_code, response["Location"], said


def test_page_wrong_state_answers_the_same_whatever_the_password(world: World) -> None:
    c = world.to("accepted")
    client = _browser(world.expert_actor)
    right, wrong = _page_sign(client, c, PASSWORD), _page_sign(client, c, WRONG)
    assert right == wrong and right[0] == 302 and right[2]
    assert _failures(world.expert_actor) == 0 and not _signed(c)


def test_page_wrong_role_answers_the_same_whatever_the_password(world: World) -> None:
    c = _drafted(world)
    client = _browser(world.coordinator)
    right, wrong = _page_sign(client, c, PASSWORD), _page_sign(client, c, WRONG)
    assert right == wrong and right[0] == 302
    assert _failures(world.coordinator) == 0 and not _signed(c)


def test_page_wrong_signing_passwords_lock_the_account(world: World) -> None:
    c = _drafted(world)
    client = _browser(world.expert_actor)
    statuses = [_page_sign(client, c, WRONG)[0] for _ in range(LIMIT)]
    assert statuses == [422] * (LIMIT - 1) + [429]
    status, _location, page = _page_sign(client, c, PASSWORD)
    assert status == 429 and "账户已锁定" in page
    assert not _signed(c)
    assert Opinion.objects.get(consultation=c).recommendations == CONTENT["recommendations"]
    username = _user(world.expert_actor).username
    sign_in = Client().post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert sign_in.status_code == 429


def test_api_correction_checks_state_and_role_before_the_password(world: World) -> None:
    drafted = _drafted(world)  # nothing signed yet: nothing to correct
    signed = world.to("opinion_signed")
    body = {"reason": "补充随访", "follow_up": "两周后复查"}
    # The expert may correct, but not yet (409); a coordinator's role never does (403).
    cells = ((world.expert_actor, drafted, 409), (world.coordinator, signed, 403))
    for actor, c, status in cells:
        client = _api(actor)
        answers = [
            client.post(
                f"/api/v1/consultations/{c.uuid}/opinion/correct",
                {**body, "password": password},
                content_type="application/json",
            )
            for password in (PASSWORD, WRONG)
        ]
        assert [a.status_code for a in answers] == [status, status]
        assert answers[0].json() == answers[1].json()
        assert _failures(actor) == 0
