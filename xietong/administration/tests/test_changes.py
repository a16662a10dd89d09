"""What the administration pages change, each through the accounts app's audited services:
a person added with a first membership in one transaction (a refused password changes
nothing), a temporary password set, and a clinical role an administrator gives themselves
waiting for a second administrator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xietong.accounts.actors import actor_for_user
from xietong.accounts.models import Membership, User
from xietong.accounts.tests.helpers import audit_actions, last_audit, text
from xietong.core.models import AuditEvent

from .conftest import World, client_for
from .test_pages import APPROVALS, person_url

pytestmark = pytest.mark.django_db

ADD = reverse("administration:person_add")


def _new_person(world: World, **overrides: object) -> dict[str, object]:
    return {
        "username": "li_na",
        "display_name": "李娜",
        "phone": "13700000000",
        "email": "li.na@example.org",
        "password": "Ward-Round-2026",
        "password2": "Ward-Round-2026",
        "institution": str(world.county.uuid),
        "roles": ["requester", "learner"],
        **overrides,
    }


def test_a_person_is_added_with_a_first_membership(world: World) -> None:
    client = client_for(world.root)
    answer = client.post(ADD, _new_person(world))
    person = User.objects.get(username="li_na")
    assert answer.status_code == 302 and answer["Location"] == person_url(person)
    assert person.display_name == "李娜" and person.check_password("Ward-Round-2026")
    membership = Membership.objects.get(user=person)
    assert (membership.institution, membership.roles) == (world.county, ["requester", "learner"])
    assert audit_actions(world.root.username)[-2:] == ["user.create", "membership.create"]
    page = text(client.get(answer["Location"]))
    assert "已添加 李娜" in page and "金桥县医院" in page


def test_a_refused_password_adds_nobody_and_says_why_beside_the_field(world: World) -> None:
    client = client_for(world.root)
    before = AuditEvent.objects.count()
    answer = client.post(ADD, _new_person(world, password="12345678", password2="12345678"))
    assert answer.status_code == 200
    html = text(answer)
    # In Chinese, beside the field and in the summary above the form.
    assert "密码长度太短。密码必须包含至少 10 个字符。" in html
    assert "密码只包含数字。" in html
    assert 'id="id_password_error"' in html and "xt-form-errors" in html
    assert not User.objects.filter(username="li_na").exists()
    assert not Membership.objects.filter(user__username="li_na").exists()
    assert AuditEvent.objects.count() == before


def test_an_institution_administrator_adds_people_at_their_institution(world: World) -> None:
    client = client_for(world.county_admin)
    answer = client.post(ADD, _new_person(world, roles=["platform_admin"]))
    assert answer.status_code == 200 and 'id="id_roles_error"' in text(answer)
    assert not User.objects.filter(username="li_na").exists()
    # Theirs, whatever institution is sent.
    answer = client.post(ADD, _new_person(world, institution=str(world.town.uuid)))
    assert answer.status_code == 302
    assert Membership.objects.get(user__username="li_na").institution == world.county


def test_a_taken_username_and_differing_passwords_are_said_beside_their_fields(
    world: World,
) -> None:
    client = client_for(world.root)
    answer = client.post(
        ADD, _new_person(world, username=world.doctor.username.upper(), password2="Other-2026x")
    )
    html = text(answer)
    assert answer.status_code == 200
    assert "已有人使用此用户名" in html and "两次输入的密码不一致" in html
    assert User.objects.filter(username__iexact=world.doctor.username).count() == 1


def test_a_temporary_password_is_set_and_recorded(world: World) -> None:
    client = client_for(world.root)
    url = person_url(world.doctor)
    refused = client.post(url, {"do": "password", "password": "abc", "password2": "abc"})
    assert refused.status_code == 200 and "密码" in text(refused)
    assert not AuditEvent.objects.filter(action="password.reset").exists()
    answer = client.post(
        url, {"do": "password", "password": "Night-Shift-77", "password2": "Night-Shift-77"}
    )
    assert answer.status_code == 302
    world.doctor.refresh_from_db()
    assert world.doctor.check_password("Night-Shift-77")
    event = last_audit(world.root.username, "password.reset")
    assert event.detail["username"] == world.doctor.username


def test_a_clinical_role_given_to_oneself_waits_for_a_second_administrator(
    world: World,
) -> None:
    first, second = client_for(world.root), client_for(world.second)
    # The first administrator makes themselves a requesting doctor at the county hospital.
    answer = first.post(
        person_url(world.root),
        {"do": "add", "institution": str(world.county.uuid), "roles": ["requester"]},
    )
    assert answer.status_code == 302
    mine = world.membership(world.root, world.county)
    assert (mine.roles, mine.pending_roles) == ([], ["requester"])
    actor = actor_for_user(user=world.root, membership_id=mine.pk)
    assert actor is not None and not actor.has_role("requester")
    assert "须等待另一位管理员审批" in text(first.get(person_url(world.root)))

    # Not theirs to approve: not on their list, and refused if they try.
    assert world.root.username not in text(first.get(APPROVALS))
    decide = reverse(
        "administration:approval_decide",
        kwargs={"user_uuid": world.root.uuid, "institution_uuid": world.county.uuid,
                "decision": "approve"},
    )  # fmt: skip
    refused = first.post(decide)
    assert refused.status_code == 302
    mine.refresh_from_db()
    assert mine.roles == [] and "另一位管理员" in text(first.get(APPROVALS))

    # The second administrator sees it waiting and approves it.
    waiting = text(second.get(APPROVALS))
    assert world.root.username in waiting and "金桥县医院" in waiting and "申请医生" in waiting
    answer = second.post(decide)
    assert answer.status_code == 302 and answer["Location"] == APPROVALS
    mine.refresh_from_db()
    assert (mine.roles, mine.pending_roles) == (["requester"], [])
    event = last_audit(world.second.username, "membership.approve")
    assert event.detail["approved"] == ["requester"]
    assert "没有等待您审批的角色" in text(second.get(APPROVALS))


def test_an_institution_administrator_approves_their_institution_only(world: World) -> None:
    first = client_for(world.root)
    first.post(
        person_url(world.root),
        {"do": "add", "institution": str(world.town.uuid), "roles": ["requester"]},
    )
    county = client_for(world.county_admin)
    assert world.root.username not in text(county.get(APPROVALS))
    decide = reverse(
        "administration:approval_decide",
        kwargs={"user_uuid": world.root.uuid, "institution_uuid": world.town.uuid,
                "decision": "approve"},
    )  # fmt: skip
    assert county.post(decide).status_code == 404
    assert world.membership(world.root, world.town).pending_roles == ["requester"]


def test_roles_waiting_are_declined_from_the_persons_page(world: World) -> None:
    client_for(world.root).post(
        person_url(world.root),
        {"do": "add", "institution": str(world.county.uuid), "roles": ["qc", "lecturer"]},
    )
    membership = world.membership(world.root, world.county)
    assert (membership.roles, membership.pending_roles) == (["lecturer"], ["qc"])
    second = client_for(world.second)
    page = text(second.get(person_url(world.root)))
    assert "待审批的角色" in page and "批准" in page
    decline = reverse(
        "administration:approval_decide",
        kwargs={"user_uuid": world.root.uuid, "institution_uuid": world.county.uuid,
                "decision": "decline"},
    )  # fmt: skip
    answer = second.post(decline, {"next": person_url(world.root)})
    assert answer.status_code == 302 and answer["Location"] == person_url(world.root)
    membership.refresh_from_db()
    assert (membership.roles, membership.pending_roles) == (["lecturer"], [])
    assert last_audit(world.second.username, "membership.decline").detail["declined"] == ["qc"]
