"""The exchange gateways page: the platform administrator registers a gateway, sees its secret
once, and revokes it."""

from __future__ import annotations

import pytest
from django.test import Client

from xietong.accounts.tests.factories import make_user
from xietong.core.models import AuditEvent
from xietong.exchange.gateways import gateway_for_secret
from xietong.exchange.models import Gateway
from xietong.patients.tests.factories import an_institution

pytestmark = pytest.mark.django_db


def _signed_in(*roles: str) -> Client:
    client = Client()
    client.force_login(make_user(*roles))
    return client


def test_the_administrator_registers_a_gateway_and_sees_its_secret_once() -> None:
    client = _signed_in("platform_admin")
    hospital = an_institution(name="中牟县人民医院")

    answer = client.post(
        "/manage/gateways/new/", {"institution": str(hospital.uuid), "name": "住院部前置机"}
    )

    assert answer.status_code == 200
    secret = answer.context["secret"]
    assert secret.encode() in answer.content and "no-cache" in answer["Cache-Control"]
    gateway = gateway_for_secret(secret)
    assert gateway is not None and gateway.institution_id == hospital.pk
    listed = client.get("/manage/gateways/")
    assert "住院部前置机" in listed.content.decode() and secret not in listed.content.decode()
    # No heartbeat yet: "never" said of a heartbeat, not of a person's sign-in.
    assert "从未" in listed.content.decode() and "从未登录" not in listed.content.decode()
    assert AuditEvent.objects.filter(action="gateway.register").count() == 1


def test_a_gateway_without_a_name_is_not_registered() -> None:
    client = _signed_in("platform_admin")
    hospital = an_institution()

    answer = client.post("/manage/gateways/new/", {"institution": str(hospital.uuid), "name": ""})

    assert answer.status_code == 200 and "secret" not in answer.context
    assert not Gateway.objects.exists()


def test_the_administrator_revokes_a_gateway() -> None:
    client = _signed_in("platform_admin")
    hospital = an_institution()
    added = client.post("/manage/gateways/new/", {"institution": str(hospital.uuid), "name": "G"})
    gateway = Gateway.objects.get()

    answer = client.post(f"/manage/gateways/{gateway.uuid}/revoke/")

    assert answer.status_code == 302
    assert gateway_for_secret(added.context["secret"]) is None
    assert "已停用" in client.get("/manage/gateways/").content.decode()


@pytest.mark.parametrize("roles", [("institution_admin",), ("requester",)])
def test_no_one_else_opens_the_gateways(roles: tuple[str, ...]) -> None:
    client = _signed_in(*roles)
    assert client.get("/manage/gateways/").status_code == 403
    assert client.post("/manage/gateways/new/", {"name": "x"}).status_code == 403


def test_a_lost_secret_is_replaced_and_the_old_one_refused() -> None:
    client = _signed_in("platform_admin")
    hospital = an_institution()
    added = client.post("/manage/gateways/new/", {"institution": str(hospital.uuid), "name": "G"})
    old_secret = added.context["secret"]
    gateway = Gateway.objects.get()
    assert "重新生成密钥" in client.get("/manage/gateways/").content.decode()

    answer = client.post(f"/manage/gateways/{gateway.uuid}/secret/")

    assert answer.status_code == 200 and "no-cache" in answer["Cache-Control"]
    new_secret = answer.context["secret"]
    assert new_secret.encode() in answer.content and new_secret != old_secret
    assert gateway_for_secret(old_secret) is None
    assert gateway_for_secret(new_secret) == gateway
    assert AuditEvent.objects.filter(action="gateway.secret_renew").count() == 1


def test_a_revoked_gateway_gets_no_new_secret() -> None:
    client = _signed_in("platform_admin")
    hospital = an_institution()
    client.post("/manage/gateways/new/", {"institution": str(hospital.uuid), "name": "G"})
    gateway = Gateway.objects.get()
    client.post(f"/manage/gateways/{gateway.uuid}/revoke/")
    before = Gateway.objects.values_list("secret_hash", flat=True).get()

    answer = client.post(f"/manage/gateways/{gateway.uuid}/secret/", follow=True)

    assert "已停用的前置机不能重新生成密钥" in answer.content.decode()
    assert Gateway.objects.values_list("secret_hash", flat=True).get() == before
    assert not AuditEvent.objects.filter(action="gateway.secret_renew").exists()
