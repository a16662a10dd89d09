"""What an audit link's hash covers, and the key it is computed with (docs/adr/0010).

Version 1 is a plain SHA-256 over part of the row. Links written before keyed hashing carry
it, and it is kept only so that they still verify. Version 2 is an HMAC-SHA256, keyed with
the audit key, over every stored field: whoever can write to the database but does not hold
the key can neither change a field unnoticed nor recompute the links after a change."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from .models import AuditEvent

GENESIS = "0" * 64
LEGACY_VERSION = 1
LINK_VERSION = 2
KEY_MIN_LENGTH = 32

# The stored fields that are not content: the row id (the database assigns it after the
# hash is computed), the hash itself, and the version (the text hashed names it already).
NOT_HASHED = frozenset({"id", "hash", "hash_version"})

# Version 1's fields, in its order. Frozen: changing it would break every old link.
_V1_FIELDS = (
    "seq", "at", "user_id", "username", "membership_id", "institution_id", "region_path",
    "roles", "action", "resource_type", "resource_id", "patient_id", "outcome", "ip", "detail",
)  # fmt: skip

# Version 2's fields, in its order: every stored field but NOT_HASHED (a test holds the model
# to that). A new field needs a new version, or the links already written stop verifying.
V2_FIELDS = (
    "chain", "seq", "prev_hash", "at", "user_id", "username", "membership_id",
    "institution_id", "institution_name", "region_path", "roles", "action", "resource_type",
    "resource_id", "patient_id", "outcome", "ip", "user_agent", "detail",
)  # fmt: skip


def link_digest(*, event: AuditEvent) -> str:
    """The hash `event` must carry for its version; empty for a version nobody wrote."""
    if event.hash_version == LINK_VERSION:
        return hmac.new(audit_key(), _canonical_v2(event=event), hashlib.sha256).hexdigest()
    if event.hash_version == LEGACY_VERSION:
        return _digest_v1(event=event)
    return ""


def _canonical_v2(*, event: AuditEvent) -> bytes:
    values: list[Any] = ["xt-audit-link", LINK_VERSION]
    for name in V2_FIELDS:
        value = getattr(event, name)
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).isoformat()
        values.append(value)
    # Sorted keys: PostgreSQL's jsonb gives a detail's keys back in an order of its own.
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.encode()


def _digest_v1(*, event: AuditEvent) -> str:
    values = [event.at.isoformat() if name == "at" else getattr(event, name) for name in _V1_FIELDS]
    canonical = json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((event.prev_hash + canonical).encode()).hexdigest()


def payload_signature(*, payload: dict[str, Any]) -> str:
    """The HMAC of a checkpoint's fields. Its own prefix keeps a signature from ever being
    mistaken for a link's hash, or the other way round."""
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    message = b"xt-audit-checkpoint\n" + text.encode()
    return hmac.new(audit_key(), message, hashlib.sha256).hexdigest()


def audit_key() -> bytes:
    """XT_AUDIT_KEY; without it (embedded and test modes only) the key in XT_AUDIT_KEY_FILE,
    made on first use. The key never goes into the database: its owner must not hold it."""
    configured: str = settings.XT_AUDIT_KEY
    if configured:
        if len(configured) < KEY_MIN_LENGTH:
            raise ImproperlyConfigured(f"XT_AUDIT_KEY must be at least {KEY_MIN_LENGTH} characters")
        return configured.encode()
    key_file = settings.XT_AUDIT_KEY_FILE
    if not key_file:
        raise ImproperlyConfigured("XT_AUDIT_KEY must be set")
    return _key_file_read(path=Path(key_file))


@functools.cache
def _key_file_read(*, path: Path) -> bytes:
    if not path.exists():
        _key_file_create(path=path)
    if path.stat().st_mode & 0o077:
        raise ImproperlyConfigured(f"{path} holds the audit key: only its owner may read it")
    key = path.read_text().strip()
    if len(key) < KEY_MIN_LENGTH:
        raise ImproperlyConfigured(f"{path} holds no audit key")
    return key.encode()


def _key_file_create(*, path: Path) -> None:
    """Written whole under another name, then linked into place: a reader never sees half a
    key, and when several processes start at once the first link wins for all of them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".audit-key-")  # mode 0600
    try:
        os.write(fd, (secrets.token_hex(32) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(draft)
