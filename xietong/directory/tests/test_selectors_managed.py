"""What the administration pages list: out-of-use rows too, found by name or code, and the
regions an institution's form offers."""

from __future__ import annotations

from typing import cast

import pytest

from xietong.core.errors import NotFound
from xietong.directory.models import Practitioner
from xietong.directory.selectors import (
    collaboration_link_by_keys,
    collaboration_links_managed,
    institutions_managed,
    practitioner_managed,
    practitioners_managed,
)
from xietong.directory.tests.administrators import an_institution
from xietong.directory.tests.factories import (
    CollaborationLinkFactory,
    PractitionerFactory,
)

pytestmark = pytest.mark.django_db


def test_institutions_out_of_use_are_listed_and_found_by_code() -> None:
    closed = an_institution(name="旧卫生院", code="T1", active=False)
    an_institution(name="金桥县医院", code="C2")
    assert list(institutions_managed(q="t1")) == [closed]
    assert list(institutions_managed(active=False)) == [closed]
    assert [i.name for i in institutions_managed(q="金桥")] == ["金桥县医院"]


def test_practitioners_of_one_institution_and_found_by_its_name() -> None:
    mine = an_institution(name="金桥县医院")
    doctor = cast(Practitioner, PractitionerFactory(institution=mine, name="王建国"))
    other = cast(Practitioner, PractitionerFactory(name="李娜"))
    assert list(practitioners_managed(institution_id=mine.pk)) == [doctor]
    assert list(practitioners_managed(q="金桥")) == [doctor]
    assert practitioner_managed(uuid=other.uuid) == other
    with pytest.raises(NotFound):
        practitioner_managed(uuid=other.uuid, institution_id=mine.pk)
    with pytest.raises(NotFound):
        practitioner_managed(uuid="not-a-key")


def test_links_of_an_institution_on_either_side() -> None:
    county = an_institution()
    up = CollaborationLinkFactory(client=county, service="referral")
    client = an_institution()
    down = CollaborationLinkFactory(
        provider=county, client=client, service="consultation", active=False
    )
    CollaborationLinkFactory()
    assert set(collaboration_links_managed(institution_id=county.pk)) == {up, down}
    assert list(collaboration_links_managed(institution_id=county.pk, active=False)) == [down]
    assert list(collaboration_links_managed(service="referral")) == [up]
    found = collaboration_link_by_keys(
        provider=county.uuid, client=client.uuid, service="consultation"
    )
    assert found == down
    with pytest.raises(NotFound):
        collaboration_link_by_keys(provider=county.uuid, client=county.uuid, service="ecg")
