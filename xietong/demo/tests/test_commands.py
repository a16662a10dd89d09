from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from xietong.core.models import AuditEvent
from xietong.demo.gateway import demo_gateway_hospital
from xietong.directory.models import Region
from xietong.exchange.gateways import gateway_for_secret
from xietong.exchange.models import Gateway

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_demo_seed_then_logins(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    _run("demo_seed", "--scale", "small", "--seed", "20261122")
    assert Region.objects.filter(level="city").count() == 18
    again = _run("demo_seed", "--if-empty")
    assert Region.objects.filter(level="city").count() == 18
    assert again.strip()  # says it had nothing to do
    with pytest.raises(CommandError):
        _run("demo_seed")
    logins = _run("demo_logins", "--host", "192.0.2.10", "--port", "8123")
    assert logins.splitlines()[0] == "Xietong is at http://192.0.2.10:8123/"
    assert "xietong-demo" in logins
    for username in ("doctor_county", "doctor_county2", "expert", "coordinator", "admin"):
        assert f"\n{username} " in logins
    assert logins.count("\nexpert ") == 2  # two memberships, two rows
    # ./xt demo's second start: one process migrates, finds the province, prints the logins.
    started = _run("demo_start", "--host", "192.0.2.10", "--port", "8123")
    assert started.startswith(again)
    assert started.endswith(logins)
    assert Region.objects.filter(level="city").count() == 18
    # It registered the county hospital's gateway; its secret is in the var folder only.
    [gateway] = Gateway.objects.filter(active=True)
    assert gateway.institution.name == demo_gateway_hospital().name  # type: ignore[union-attr]
    secret_file = tmp_path / "gateway" / "secret"
    assert secret_file.stat().st_mode & 0o777 == 0o600
    assert gateway_for_secret(secret_file.read_text().strip()) == gateway
    assert AuditEvent.objects.filter(action="gateway.register").count() == 1
    # A second start keeps it; a lost secret means a new secret for the same gateway (what
    # it sent stays its own), and the old secret is refused.
    _run("demo_start")
    assert list(Gateway.objects.filter(active=True)) == [gateway]
    old_secret = secret_file.read_text().strip()
    secret_file.unlink()
    _run("demo_start")
    assert list(Gateway.objects.filter(active=True)) == [gateway]
    assert gateway_for_secret(secret_file.read_text().strip()) == gateway
    assert gateway_for_secret(old_secret) is None
    assert AuditEvent.objects.filter(action="gateway.secret_renew").count() == 2


def test_demo_logins_on_an_empty_database() -> None:
    output = _run("demo_logins")
    assert output.startswith("Xietong is at http://127.0.0.1:8000/")
    assert "demo_seed" in output
