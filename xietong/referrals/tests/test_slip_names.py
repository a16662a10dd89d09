"""The referral slip names the referring doctor as colleagues know them, never by the name
they sign in with."""

from __future__ import annotations

import pytest
from django.utils import translation

from xietong.accounts.tests.factories import UserFactory
from xietong.directory.tests.factories import PractitionerFactory
from xietong.referrals.pdf import signed_name

pytestmark = pytest.mark.django_db


def test_a_practitioner_is_named_with_their_title() -> None:
    user = UserFactory(
        username="doctor_county",
        display_name="王医生",
        practitioner=PractitionerFactory(name="王建国", title="attending"),
    )
    with translation.override("zh-hans"):
        assert signed_name(user) == "王建国 主治医师"


def test_an_account_without_a_practitioner_shows_its_display_name() -> None:
    assert signed_name(UserFactory(username="desk_7", display_name="孙丽")) == "孙丽"
