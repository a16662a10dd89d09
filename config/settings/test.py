"""The test suite: SQLite by default; PostgreSQL when XT_TEST_DATABASE_URL is set."""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import VAR_DIR, postgresql_prepared

SECRET_KEY = "test-only"  # noqa: S105
_url = os.environ.get("XT_TEST_DATABASE_URL")
if _url:
    # As the server runs: server-side binding and prepared statements (docs/adr/0016).
    DATABASES = {"default": postgresql_prepared(dj_database_url.parse(_url))}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "test.sqlite3"),
        }
    }
    if os.environ.get("XT_TEST_SQLITE_FILE"):
        # The browser tests' server answers from several threads at once (a page, its chat
        # socket, its pushes). SQLite's shared-cache memory database refuses a second
        # writer at once ("database table is locked") instead of waiting; a file in WAL
        # mode with transactions that take the write lock up front makes it wait its turn.
        DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-browser.sqlite3")}
        DATABASES["default"]["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
# Hashing with argon2 at full strength would dominate the suite's time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
# Never the demo's audit key or checkpoints (core's tests move the checkpoints to tmp).
XT_AUDIT_KEY_FILE = VAR_DIR / "test-audit.key"
XT_AUDIT_CHECKPOINT_PATH = VAR_DIR / "test-audit-checkpoints.jsonl"
XT_AUDIT_STRICT_VOCABULARY = True
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Tests serve static files through the finders; there is no collected folder to scan.
STATIC_ROOT = None  # type: ignore[assignment]
