"""Practitioners' and institutions' names are checked wherever they are typed (the admin
validates with the model's field validators)."""

from __future__ import annotations

from typing import cast

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import User
from xietong.directory.models import Institution, Practitioner
from xietong.directory.tests.factories import InstitutionFactory, PractitionerFactory

pytestmark = pytest.mark.django_db


def test_a_practitioner_named_with_a_direction_override_is_invalid() -> None:
    practitioner = PractitionerFactory.build(
        name="\u202e医生", institution=InstitutionFactory(), department=None
    )
    with pytest.raises(ValidationError) as refused:
        practitioner.full_clean()
    assert list(refused.value.message_dict) == ["name"]


def test_the_admin_refuses_a_blank_looking_practitioner_name(client: Client) -> None:
    client.force_login(User.objects.create_superuser("root", "root@example.org", "Root-Pass-123"))
    institution = cast(Institution, InstitutionFactory())
    response = client.post(
        reverse("admin:directory_practitioner_add"),
        {
            "name": "\u200b\u200b", "sex": "F", "institution": institution.pk, "title": "attending",
            "practising_since": 2010,
            "expert-TOTAL_FORMS": 0, "expert-INITIAL_FORMS": 0,
        },
    )  # fmt: skip
    assert response.status_code == 200  # the form again, with the error
    assert "姓名中没有可见的字符" in response.content.decode()
    assert not Practitioner.objects.exists()
