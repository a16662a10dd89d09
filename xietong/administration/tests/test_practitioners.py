"""The practitioners pages: a platform administrator manages every institution's
practitioners and their expert profiles, an institution's administrator their own
institution's (the others are not found), anyone else is refused (403). Changes are audited;
a refused one is said beside its field and changes nothing."""

from __future__ import annotations

import re
from typing import cast

import pytest
from django.urls import reverse

from xietong.accounts.models import User
from xietong.accounts.tests.helpers import last_audit, text
from xietong.core.models import AuditEvent
from xietong.directory.access import PRACTITIONER_ADD, PRACTITIONER_CHANGE
from xietong.directory.models import Department, Expert, Practitioner
from xietong.directory.tests.administrators import directory_admin
from xietong.directory.tests.factories import DepartmentFactory, PractitionerFactory

from .conftest import World, client_for

pytestmark = pytest.mark.django_db

LIST = reverse("administration:practitioners")
ADD = reverse("administration:practitioner_add")


def practitioner_url(practitioner: Practitioner) -> str:
    return reverse("administration:practitioner", kwargs={"uuid": practitioner.uuid})


def _form(**overrides: object) -> dict[str, object]:
    cast(Department, DepartmentFactory(code="03.03", name="神经内科"))
    return {
        "name": "陈思远", "sex": "M", "department": "03.03", "title": "chief",
        "practising_since": "1995", "specialties": "脑血管病、癫痫", "licence_number": "",
        "accepting": "on", "accepts": ["consultation", "referral"], "bio": "神经内科主任医师。",
        **overrides,
    }  # fmt: skip


def _doctor(world: World, **fields: object) -> Practitioner:
    return cast(Practitioner, PractitionerFactory(institution=world.county, **fields))


def test_a_platform_administrator_lists_every_institutions_practitioners(world: World) -> None:
    mine = _doctor(world, name="王建国")
    Expert.objects.create(practitioner=mine, accepts=["consultation"], active=True)
    PractitionerFactory(institution=world.town, name="赵志强")
    client = client_for(world.root)
    html = text(client.get(LIST))
    assert "医务人员管理" in html and "王建国" in html and "赵志强" in html
    assert "接受申请" in html and "远程会诊" in html
    # By name, by the institution's name, and by the institution picked.
    assert "赵志强" not in text(client.get(LIST, {"q": "建国"}))
    assert "赵志强" not in text(client.get(LIST, {"q": "金桥"}))
    picked = text(client.get(LIST, {"institution": str(world.town.uuid)}))
    assert "赵志强" in picked and "王建国" not in picked
    assert "请从列表中选择" in text(client.get(LIST, {"institution": "nothing"}))


def test_a_practitioner_is_added_with_an_expert_profile(world: World) -> None:
    client = client_for(world.root)
    answer = client.post(ADD, _form(institution=str(world.centre.uuid)))
    made = Practitioner.objects.get(name="陈思远")
    assert answer.status_code == 302 and answer["Location"] == practitioner_url(made)
    assert made.institution == world.centre and made.department is not None
    assert Expert.objects.get(practitioner=made).accepts == ["consultation", "referral"]
    assert last_audit(world.root.username, "expert.create").detail["practitioner"] == str(made.uuid)
    page = text(client.get(answer["Location"]))
    assert "已添加 陈思远" in page
    assert re.search(r'value="referral"[^>]*checked', page)
    assert not re.search(r'value="ecg"[^>]*checked', page)


def test_a_change_is_audited_and_a_refused_one_changes_nothing(world: World) -> None:
    doctor = _doctor(world, name="王建国", practising_since=2012)
    client = client_for(world.root)
    url = practitioner_url(doctor)
    assert "王建国" in text(client.get(url))
    before = AuditEvent.objects.count()
    refused = client.post(url, _form(name="王建国", institution=str(world.county.uuid),
                                     practising_since="1850", accepts=[]))  # fmt: skip
    assert refused.status_code == 200
    html = text(refused)
    assert 'id="id_practising_since_error"' in html and "1940" in html
    assert 'id="id_accepts_error"' in html and "请至少选择一项专家接受的服务" in html
    doctor.refresh_from_db()
    assert doctor.practising_since == 2012 and doctor.title == "attending"
    assert AuditEvent.objects.count() == before
    saved = client.post(url, _form(name="王建国", institution=str(world.county.uuid),
                                   title="associate_chief", practising_since="2012"))  # fmt: skip
    assert saved.status_code == 302
    fields = last_audit(world.root.username, "practitioner.update").detail["fields"]
    assert fields["title"] == {"from": "attending", "to": "associate_chief"}


def test_an_institution_administrator_manages_their_own_practitioners(world: World) -> None:
    mine = _doctor(world, name="王建国")
    theirs = cast(Practitioner, PractitionerFactory(institution=world.town, name="赵志强"))
    client = client_for(world.county_admin)
    html = text(client.get(LIST))
    assert "王建国" in html and "赵志强" not in html and 'name="institution"' not in html
    # Another institution's practitioner is not found, whatever is asked.
    assert client.get(practitioner_url(theirs)).status_code == 404
    assert client.post(practitioner_url(theirs), _form()).status_code == 404
    # Added at their institution, whatever institution is sent.
    answer = client.post(ADD, _form(institution=str(world.town.uuid)))
    assert answer.status_code == 302
    assert Practitioner.objects.get(name="陈思远").institution == world.county
    assert client.get(practitioner_url(mine)).status_code == 200


def test_a_clinician_is_refused_every_practitioner_page(world: World) -> None:
    doctor = _doctor(world)
    client = client_for(world.doctor)
    for url in (LIST, ADD, practitioner_url(doctor)):
        assert client.get(url).status_code == 403, url
    assert client.post(ADD, _form(institution=str(world.county.uuid))).status_code == 403
    assert not Practitioner.objects.filter(name="陈思远").exists()


def test_without_the_profiles_permission_the_profile_is_shown_not_sent(world: World) -> None:
    doctor = _doctor(world, name="王建国")
    Expert.objects.create(practitioner=doctor, accepts=["consultation"], bio="原简介")
    actor = directory_admin(world.centre, "platform_admin",
                            permissions=(PRACTITIONER_ADD, PRACTITIONER_CHANGE))  # fmt: skip
    client = client_for(User.objects.get(pk=actor.user_id))
    url = practitioner_url(doctor)
    page = text(client.get(url))
    assert re.search(r'name="bio"[^>]*disabled', page) and "原简介" in page
    answer = client.post(url, _form(name="王建国", institution=str(world.county.uuid),
                                    accepts=["ecg"], bio="改过"))  # fmt: skip
    assert answer.status_code == 302
    doctor.refresh_from_db()
    assert doctor.title == "chief"
    expert = Expert.objects.get(practitioner=doctor)
    assert (expert.accepts, expert.bio) == (["consultation"], "原简介")
