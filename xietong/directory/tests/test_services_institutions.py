"""Institutions added, changed and taken out of use by a platform administrator: every
field checked before anything is written, each change audited with its old and new values,
and nobody else may."""

from __future__ import annotations

from typing import Any, cast

import pytest

from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import Conflict, NotPermitted, ValidationFailed
from xietong.core.models import AuditEvent
from xietong.directory.models import Institution, Region
from xietong.directory.services import (
    institution_create,
    institution_deactivate,
    institution_reactivate,
    institution_update,
)
from xietong.directory.tests.administrators import an_institution, directory_admin
from xietong.directory.tests.factories import RegionFactory

pytestmark = pytest.mark.django_db


def _values(region: Region, **overrides: Any) -> dict[str, Any]:
    return {
        "code": "C410199",
        "name": "新河县人民医院",
        "short_name": "新河县医院",
        "level": "county",
        "kind": "hospital",
        "grade": "2A",
        "region": region,
        "upline": None,
        "address": "新河县人民路 1 号",
        "phone": "0371-60000000",
        **overrides,
    }


def _last(action: str) -> AuditEvent:
    event = AuditEvent.objects.filter(action=action).order_by("-id").first()
    assert event is not None, action
    return event


def test_an_institution_is_added_and_audited() -> None:
    region = cast(Region, RegionFactory(name="新河县"))
    root = directory_admin(an_institution(), "platform_admin")
    made = institution_create(actor=root, **_values(region))
    assert made.active and made.region == region and made.code == "C410199"
    event = _last("institution.create")
    assert event.resource_type == "Institution" and event.resource_id == str(made.uuid)
    assert event.detail["fields"]["name"] == {"from": None, "to": "新河县人民医院"}
    assert event.detail["fields"]["region"] == {"from": None, "to": region.code}


def test_every_problem_is_named_and_nothing_is_written() -> None:
    taken = an_institution(code="C410100")
    root = directory_admin(an_institution(), "platform_admin")
    before = (Institution.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed) as refused:
        institution_create(
            actor=root,
            **_values(None, code="c410100", name="", level="city", kind="spa"),  # type: ignore[arg-type]
        )
    assert set(refused.value.fields) == {"code", "name", "level", "kind", "region"}
    assert str(refused.value.fields["code"][0]) == "已有其他机构使用此编码。"
    assert (Institution.objects.count(), AuditEvent.objects.count()) == before
    assert taken.code == "C410100"


def test_a_change_records_each_changed_field_from_and_to() -> None:
    county = an_institution(name="旧名县医院", phone="1")
    upline = an_institution(level="municipal")
    root = directory_admin(an_institution(), "platform_admin")
    values = _values(
        county.region,
        code=county.code,
        name="新名县医院",
        upline=upline,
        phone="1",
        address="",
        short_name="",
        grade=county.grade,
    )
    institution_update(actor=root, institution=county, **values)
    county.refresh_from_db()
    assert county.name == "新名县医院" and county.upline == upline
    fields = _last("institution.update").detail["fields"]
    assert fields == {
        "name": {"from": "旧名县医院", "to": "新名县医院"},
        "upline": {"from": None, "to": upline.code},
    }
    # Nothing changed: nothing recorded.
    count = AuditEvent.objects.count()
    institution_update(actor=root, institution=county, **values)
    assert AuditEvent.objects.count() == count


def test_an_upline_is_neither_itself_nor_below_it() -> None:
    top = an_institution(level="municipal")
    below = an_institution(upline=top)
    root = directory_admin(an_institution(), "platform_admin")
    for upline in (top, below):
        with pytest.raises(ValidationFailed) as refused:
            institution_update(
                actor=root,
                institution=top,
                **_values(top.region, code=top.code, name=top.name, upline=upline),
            )
        assert set(refused.value.fields) == {"upline"}
    top.refresh_from_db()
    assert top.upline is None


def test_deactivated_and_reactivated_once_each() -> None:
    place = an_institution()
    root = directory_admin(an_institution(), "platform_admin")
    institution_deactivate(actor=root, institution=place)
    place.refresh_from_db()
    assert not place.active
    assert _last("institution.deactivate").detail["fields"] == {
        "active": {"from": True, "to": False}
    }
    with pytest.raises(Conflict):
        institution_deactivate(actor=root, institution=place)
    institution_reactivate(actor=root, institution=place)
    place.refresh_from_db()
    assert place.active


def test_only_a_platform_administrator_with_the_permission_may() -> None:
    place = an_institution()
    region = cast(Region, RegionFactory())
    refused = [
        directory_admin(place, "institution_admin"),  # an institution's administrator
        directory_admin(place, "platform_admin", permissions=()),  # an account without rights
        make_actor("requester", institution=place),  # not an administrator
    ]
    for actor in refused:
        with pytest.raises(NotPermitted):
            institution_create(actor=actor, **_values(region))
        with pytest.raises(NotPermitted):
            institution_deactivate(actor=actor, institution=place)
    assert not Institution.objects.filter(code="C410199").exists()
    place.refresh_from_db()
    assert place.active
