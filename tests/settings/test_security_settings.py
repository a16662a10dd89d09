"""What production demands before it starts, and the embedded mode's own secret key (read
from a fresh interpreter, as `./xt serve` would start)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "XT_SECRET_KEY": "k" * 50,
    "XT_AUDIT_KEY": "a" * 64,
    "XT_DATABASE_URL": "postgres://xt@db.internal:5432/xietong",
}
SHOWN = [
    "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECRET_KEY", "XT_CONTENT_SECURITY_POLICY",
]  # fmt: skip


def _start(module: str, **env: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {SHOWN!r}}}, default=str))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("XT_")}
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": f"config.settings.{module}", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def _settings(module: str, **env: str) -> dict[str, Any]:
    started = _start(module, **env)
    assert started.returncode == 0, started.stderr
    result: dict[str, Any] = json.loads(started.stdout.strip().splitlines()[-1])
    return result


def test_production_will_not_start_without_its_host_names() -> None:
    for hosts in (None, "*", "xt.example.org,*"):
        env = {**PRODUCTION, **({"XT_ALLOWED_HOSTS": hosts} if hosts else {})}
        started = _start("production", **env)
        assert started.returncode != 0
        assert "XT_ALLOWED_HOSTS must name the host names" in started.stderr


def test_production_is_https_only() -> None:
    s = _settings("production", **PRODUCTION, XT_ALLOWED_HOSTS="xt.example.org")
    assert s["ALLOWED_HOSTS"] == ["xt.example.org"]
    assert s["SECURE_SSL_REDIRECT"] is True
    assert s["SECURE_HSTS_SECONDS"] >= 365 * 24 * 60 * 60
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"]
    # X-Forwarded-Proto is believed only when a proxy is said to set it.
    assert s["SECURE_PROXY_SSL_HEADER"] is None
    behind = _settings(
        "production", **PRODUCTION, XT_ALLOWED_HOSTS="xt.example.org", XT_BEHIND_PROXY="1"
    )
    assert behind["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_every_mode_sends_a_policy_without_inline_script() -> None:
    s = _settings("production", **PRODUCTION, XT_ALLOWED_HOSTS="xt.example.org")
    for mode in (s, _settings("embedded")):
        policy = mode["XT_CONTENT_SECURITY_POLICY"]
        assert policy["script-src"] == "'self'"
        assert "unsafe-inline" not in json.dumps(policy)


def test_the_embedded_mode_makes_its_own_secret_key(tmp_path: Path) -> None:
    first = _settings("embedded", XT_VAR_DIR=str(tmp_path))["SECRET_KEY"]
    key_file = tmp_path / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 50 and "embedded-only" not in first
    assert _settings("embedded", XT_VAR_DIR=str(tmp_path))["SECRET_KEY"] == first  # kept
    other = tmp_path / "other"
    assert _settings("embedded", XT_VAR_DIR=str(other))["SECRET_KEY"] != first
    # XT_SECRET_KEY still wins, and then no file is made.
    given = _settings("embedded", XT_VAR_DIR=str(tmp_path / "given"), XT_SECRET_KEY="s" * 50)
    assert given["SECRET_KEY"] == "s" * 50
    assert not (tmp_path / "given" / "secret.key").exists()
