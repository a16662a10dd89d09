from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.tests.factories import PASSWORD


@pytest.fixture
def sign_in(client: Client) -> Callable[..., object]:
    """Signs in through the sign-in page, as a person would."""

    def do(username: str, password: str = PASSWORD, **extra: str) -> object:
        return client.post(
            reverse("accounts:login"), {"username": username, "password": password, **extra}
        )

    return do
