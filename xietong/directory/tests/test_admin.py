from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.tests.factories import make_plain_user
from xietong.directory.tests.network import Network

MODELS = ("region", "institution", "collaborationlink", "department", "practitioner", "expert")


@pytest.mark.parametrize("model", MODELS)
def test_admin_pages_load(network: Network, client: Client, model: str) -> None:
    client.force_login(make_plain_user(is_staff=True, is_superuser=True))
    changelist = client.get(reverse(f"admin:directory_{model}_changelist") + "?q=郑州")
    assert changelist.status_code == 200
    assert client.get(reverse(f"admin:directory_{model}_add")).status_code == 200
