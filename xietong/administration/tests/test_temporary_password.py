"""A password an administrator chose (a new account, a forgotten password) is temporary: at
the next sign-in the person is held on the password page until they choose their own."""

from __future__ import annotations

import pytest
from django.test import Client

from xietong.accounts.actors import actor_for_user
from xietong.accounts.models import User
from xietong.accounts.people import password_reset_record, person_create, person_password_set
from xietong.core.models import AuditEvent

from .conftest import World

pytestmark = pytest.mark.django_db

PASSWORD_PAGE = "/accounts/me/password/"


def _signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def _new_person(world: World) -> User:
    actor = actor_for_user(user=world.root)
    assert actor is not None
    return person_create(
        actor=actor, username="zhao_lei", display_name="赵磊", phone="", email="",
        password="Clinic-Door-31", institution=world.county, roles=["requester"],
    )  # fmt: skip


def test_a_new_account_changes_its_password_before_anything_else(world: World) -> None:
    person = _new_person(world)
    assert person.password_change_required
    client = _signed_in(person)
    held = client.get("/consultations/mine/?status=draft")
    assert held.status_code == 302
    assert held["Location"] == PASSWORD_PAGE + "?next=%2Fconsultations%2Fmine%2F%3Fstatus%3Ddraft"
    page = client.get(held["Location"]).content.decode()
    assert 'id="password-change-required"' in page and "管理员" in page
    assert "取消" not in page  # no way round it
    # htmx requests are sent there too, as a whole page.
    partial = client.get("/consultations/mine/", HTTP_HX_REQUEST="true")
    assert partial["HX-Redirect"].startswith(PASSWORD_PAGE)
    done = client.post(held["Location"], {
        "old_password": "Clinic-Door-31",
        "new_password1": "Own-Choice-2026", "new_password2": "Own-Choice-2026",
    })  # fmt: skip
    assert done.status_code == 302 and done["Location"] == "/consultations/mine/?status=draft"
    person.refresh_from_db()
    assert not person.password_change_required
    assert client.get("/consultations/mine/").status_code == 200
    assert AuditEvent.objects.filter(action="password.change", user_id=person.pk).exists()


def test_a_refused_new_password_keeps_the_hold(world: World) -> None:
    person = _new_person(world)
    client = _signed_in(person)
    refused = client.post(PASSWORD_PAGE, {
        "old_password": "Clinic-Door-31", "new_password1": "short", "new_password2": "short",
    })  # fmt: skip
    assert refused.status_code == 200
    person.refresh_from_db()
    assert person.password_change_required
    assert client.get("/").status_code == 302


def test_a_password_set_for_someone_is_temporary_and_ones_own_is_not(world: World) -> None:
    actor = actor_for_user(user=world.root)
    assert actor is not None
    person_password_set(actor=actor, person=world.doctor, password="Forgot-It-2026")
    world.doctor.refresh_from_db()
    assert world.doctor.password_change_required
    event = AuditEvent.objects.filter(action="password.reset").latest("pk")
    assert event.detail["temporary"] is True
    # An administrator who sets their own password (in Django's admin) chose it themselves.
    password_reset_record(actor=actor, user=world.root)
    world.root.refresh_from_db()
    assert not world.root.password_change_required
    assert _signed_in(world.doctor).get("/").status_code == 302
