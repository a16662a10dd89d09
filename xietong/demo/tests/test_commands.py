from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from xietong.directory.models import Region

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_demo_seed_then_logins() -> None:
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


def test_demo_logins_on_an_empty_database() -> None:
    output = _run("demo_logins")
    assert output.startswith("Xietong is at http://127.0.0.1:8000/")
    assert "demo_seed" in output
