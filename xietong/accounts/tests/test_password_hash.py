"""Passwords are stored with argon2id at the OWASP minimum (docs/adr/0016); a hash made with
heavier parameters before is made again with these at the next right password."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher
from django.test import Client, override_settings
from django.urls import reverse

from xietong.accounts.hashers import OwaspArgon2PasswordHasher
from xietong.accounts.models import User
from xietong.accounts.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

HASHERS = ["xietong.accounts.hashers.OwaspArgon2PasswordHasher"]
OWASP_MINIMUM_KIB = 19 * 1024


def _parameters(user: User) -> tuple[str, int, int, int]:
    decoded = identify_hasher(user.password).decode(user.password)
    params = decoded["params"]
    return decoded["algorithm"], params.memory_cost, params.time_cost, params.parallelism


@override_settings(PASSWORD_HASHERS=HASHERS)
def test_new_passwords_use_argon2id_at_the_owasp_minimum() -> None:
    user = make_user("requester")
    user.set_password(PASSWORD)
    user.save()
    assert user.password.startswith("argon2$argon2id$")
    algorithm, memory_kib, passes, lanes = _parameters(user)
    assert (algorithm, memory_kib, passes, lanes) == ("argon2", OWASP_MINIMUM_KIB, 2, 1)


@override_settings(PASSWORD_HASHERS=HASHERS)
def test_an_older_heavier_hash_still_signs_in_and_is_made_again(client: Client, sign_in) -> None:
    user = make_user("requester")
    user.password = Argon2PasswordHasher().encode(PASSWORD, "oldsaltoldsalt12")
    user.save(update_fields=["password"])
    assert _parameters(user)[1:] == (102400, 2, 8)  # Django's default, as stored before

    response = sign_in(user.username)

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    user.refresh_from_db()
    assert _parameters(user)[1:] == (OWASP_MINIMUM_KIB, 2, 1)
    assert user.check_password(PASSWORD)
    assert not OwaspArgon2PasswordHasher().must_update(user.password)


@override_settings(PASSWORD_HASHERS=HASHERS)
def test_a_wrong_password_leaves_the_older_hash_alone(client: Client, sign_in) -> None:
    user = make_user("requester")
    user.password = Argon2PasswordHasher().encode(PASSWORD, "oldsaltoldsalt12")
    user.save(update_fields=["password"])
    before = user.password

    sign_in(user.username, "Wrong-Horse-42")

    user.refresh_from_db()
    assert user.password == before
