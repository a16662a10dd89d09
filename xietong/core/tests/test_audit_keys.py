"""The audit key: kept outside the database, required in production, made on first use in
the embedded mode; and everything a link shows is under it."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from pytest_django.fixtures import Settings

from xietong.core.audit import audit_record, audit_verify
from xietong.core.audit_check import CONTENT
from xietong.core.audit_hash import NOT_HASHED, V2_FIELDS, _key_file_read, audit_key
from xietong.core.models import AuditEvent


def test_every_stored_field_of_a_link_is_hashed() -> None:
    stored = {f.attname for f in AuditEvent._meta.concrete_fields}
    assert stored - NOT_HASHED == set(V2_FIELDS)


@pytest.fixture
def key_file(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    settings.XT_AUDIT_KEY = ""
    settings.XT_AUDIT_KEY_FILE = tmp_path / "var" / "audit.key"
    _key_file_read.cache_clear()
    path: Path = settings.XT_AUDIT_KEY_FILE
    yield path
    _key_file_read.cache_clear()


def test_without_a_configured_key_one_is_made_for_the_owner_only(key_file: Path) -> None:
    key = audit_key()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key) == 64 and key_file.read_text().strip().encode() == key
    _key_file_read.cache_clear()
    assert audit_key() == key  # made once, then read


def test_a_key_file_others_may_read_is_refused(key_file: Path) -> None:
    audit_key()
    os.chmod(key_file, 0o644)
    _key_file_read.cache_clear()
    with pytest.raises(ImproperlyConfigured, match="only its owner"):
        audit_key()


def test_a_configured_key_is_used_and_must_be_long_enough(
    settings: Settings, key_file: Path
) -> None:
    settings.XT_AUDIT_KEY = "k" * 40
    assert audit_key() == b"k" * 40
    assert not key_file.exists()
    settings.XT_AUDIT_KEY = "short"
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        audit_key()


@pytest.mark.django_db
def test_links_do_not_verify_under_another_key(settings: Settings) -> None:
    settings.XT_AUDIT_KEY = "a" * 40
    event = audit_record(actor=None, action="patient.read", resource_type="Patient")
    assert audit_verify().ok
    settings.XT_AUDIT_KEY = "b" * 40
    report = audit_verify()
    assert (report.chain, report.broken_at, report.kind) == (event.chain, 1, CONTENT)


def test_production_settings_require_the_audit_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "XT_AUDIT_KEY"}
    env["XT_SECRET_KEY"] = "x" * 50
    run = subprocess.run(
        [sys.executable, "-c", "import config.settings.production"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "XT_AUDIT_KEY must be set in production mode" in run.stderr
