"""Settings shared by every mode. Configuration comes from XT_* environment variables;
the embedded default needs none of them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from dj_database_url import DBConfig

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("XT_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


# No key is published with the code: production requires XT_SECRET_KEY, the embedded mode
# makes its own under var/ (embedded.py) and the tests have theirs.
SECRET_KEY = os.environ.get("XT_SECRET_KEY", "")
DEBUG = env_bool("XT_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("XT_ALLOWED_HOSTS", "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("XT_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "xietong.core",
    "xietong.directory",
    "xietong.accounts",
    "xietong.fhir",
    "xietong.patients",
    "xietong.records",
    "xietong.scheduling",
    "xietong.notifications",
    "xietong.mpi",
    "xietong.chat",
    "xietong.video",
    "xietong.imaging",
    "xietong.exchange",
    "xietong.consultations",
    "xietong.referrals",
    "xietong.administration",
    "xietong.demo",
    # Last: the form widget templates in core/templates/django/forms/ come first.
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "xietong.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "xietong.core.context.RequestOriginMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "xietong.accounts.middleware.IdleTimeoutMiddleware",
    "xietong.accounts.middleware.SecondFactorMiddleware",
    "xietong.accounts.middleware.PasswordChangeMiddleware",
    "xietong.accounts.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "xietong.accounts.context.actor_context",
                "xietong.core.nav.nav_context",
                "xietong.core.csp.websocket_context",
            ],
        },
    }
]


def postgresql_prepared(database: DBConfig) -> DBConfig:
    """Server-side binding and prepared statements on PostgreSQL (docs/adr/0016): a
    statement run XT_DB_PREPARE_THRESHOLD times on a connection is planned once and kept,
    instead of being planned again on every call (the workflow reads spent more time being
    planned than executed). 0 in XT_DB_PREPARE_THRESHOLD turns both off, e.g. behind a
    connection pooler in transaction mode that does not keep prepared statements."""
    if database["ENGINE"] != "django.db.backends.postgresql":
        return database
    options: dict[str, Any] = database.setdefault("OPTIONS", {})
    # No JIT compilation: a search whose plan PostgreSQL estimates as costly (the access
    # filters' subqueries inflate it) was compiled for 1.6 s to run for 60 ms (ADR 22).
    options.setdefault("options", "-c jit=off")
    threshold = env_int("XT_DB_PREPARE_THRESHOLD", 2)
    if threshold > 0:
        options["server_side_binding"] = True
        options["prepare_threshold"] = threshold
    return database


DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("XT_DATABASE_URL", f"sqlite:///{VAR_DIR / 'xietong.sqlite3'}"),
        conn_max_age=env_int("XT_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web server use the file at the same time; the busy
    # timeout makes a writer wait for the other instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "XT_DB_POOL", True
):
    # Under ASGI every request runs its database work in a thread of its own, so a
    # connection kept per thread is a new connection per request. A pool per server
    # process hands connections from request to request instead (persistent connections
    # and a pool exclude each other).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("XT_DB_POOL_MIN", 2),
        "max_size": env_int("XT_DB_POOL_MAX", 10),
        "timeout": 10,
    }
postgresql_prepared(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# argon2id at the OWASP minimum (docs/adr/0016); hashes made with Django's heavier default
# are made again with these parameters at the next right password.
PASSWORD_HASHERS = [
    "xietong.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "xietong.accounts.passwords.CharacterClassValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# 等保 level 3: lock an account after 5 failed logins; sessions end after 30 idle minutes.
AXES_FAILURE_LIMIT = env_int("XT_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("XT_LOGIN_COOLOFF_MINUTES", 30) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# The lock is per account (等保 asks for it); per-IP limits belong to the reverse proxy.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_CALLABLE = "xietong.accounts.views.lockout_response"
XT_IDLE_TIMEOUT_SECONDS = env_int("XT_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "xietong.core.errorviews.csrf_failure"
# Sent with every response in every mode (xietong/core/csp.py), so the browser tests run
# under it. No inline script or style; `{host}` is the host the page was asked from, the
# only one WebSockets may reach. Images from uploads and the camera come as data:/blob:.
XT_CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "media-src": "'self' blob:",
    "connect-src": "'self' ws://{host} wss://{host}",
    "font-src": "'self'",
    "frame-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
# The viewer's own policy (xietong/imaging/viewer/files.py), sent with every response under
# /viewer/ instead of the one above: OHIF compiles its image codecs from WebAssembly
# ('wasm-unsafe-eval'), decodes in workers of its own files and of blob: URLs, and its
# components set <style> elements at run time. Still nothing from any other server.
XT_VIEWER_CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self' 'wasm-unsafe-eval' blob:",
    "worker-src": "'self' blob:",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "media-src": "'self' blob:",
    "connect-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "frame-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}
# The port browsers open WebSockets on when a process of its own serves them beside the
# WSGI server (`./xt serve` with Redis, docs/adr/0016); 0: the page's own host and port.
XT_WEBSOCKET_PORT = env_int("XT_WEBSOCKET_PORT", 0)
XT_REQUIRE_2FA = env_bool("XT_REQUIRE_2FA", False)
XT_API_TOKEN_DAYS = env_int("XT_API_TOKEN_DAYS", 30)
# Parallel audit hash chains: concurrent writers on different chains never wait for each
# other (docs/adr/0009). Raising it later is safe; lowering it leaves old chains closed.
XT_AUDIT_CHAINS = env_int("XT_AUDIT_CHAINS", 16)
# The audit log's HMAC key lives outside the database (docs/adr/0010). Unset, the embedded mode
# makes one on first use in XT_AUDIT_KEY_FILE (owner-only); production requires XT_AUDIT_KEY.
XT_AUDIT_KEY = os.environ.get("XT_AUDIT_KEY", "")
XT_AUDIT_KEY_FILE: Path | None = VAR_DIR / "audit.key"
# Signed checkpoints of the chain heads go to a file the database's owner cannot rewrite.
XT_AUDIT_CHECKPOINT_PATH = Path(
    os.environ.get("XT_AUDIT_CHECKPOINT_PATH", VAR_DIR / "audit-checkpoints.jsonl")
)
XT_AUDIT_CHECKPOINT_MINUTES = env_int("XT_AUDIT_CHECKPOINT_MINUTES", 10)
# An audit word (action, resource type) no app registered raises while developing and testing;
# in production the event is still written, marked, and an error logged (core/audit_vocabulary).
XT_AUDIT_STRICT_VOCABULARY = env_bool("XT_AUDIT_STRICT_VOCABULARY", DEBUG)
OTP_TOTP_ISSUER = "Xietong"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# The browsers' libraries, installed from the npm registry by ./xt (frontend/package.json).
FRONTEND_PACKAGES = BASE_DIR / "frontend" / "node_modules"
# package -> (its build folder, the files of it the pages load), served under
# /static/vendor/<package>/ by core/static_vendor.py; nothing else of the packages is collected.
FRONTEND_FILES = {
    "bootstrap": ("dist", ("css/bootstrap.min.css", "css/bootstrap.min.css.map",
                           "js/bootstrap.bundle.min.js", "js/bootstrap.bundle.min.js.map")),
    "bootstrap-icons": ("font", ("bootstrap-icons.min.css", "fonts/bootstrap-icons.woff2",
                                 "fonts/bootstrap-icons.woff")),
    "tom-select": ("dist", ("css/tom-select.bootstrap5.min.css",
                            "css/tom-select.bootstrap5.min.css.map",
                            "js/tom-select.complete.min.js", "js/tom-select.complete.min.js.map")),
    "flatpickr": ("dist", ("flatpickr.min.css", "flatpickr.min.js", "l10n/zh.js")),
    # The browser's upload of studies (imaging/static/imaging/upload.js): zips unpacked and
    # DICOM headers read in the browser, before anything is sent.
    "fflate": ("umd", ("index.js",)),
    "dicom-parser": ("dist", ("dicomParser.min.js", "dicomParser.min.js.map")),
}  # fmt: skip
# The OHIF viewer, prebuilt, installed by ./xt from frontend/viewer/package-lock.json and
# served under /viewer/ straight from its build folder (docs/adr/0023-viewer.md).
XT_VIEWER_DIST = Path(
    os.environ.get(
        "XT_VIEWER_DIST",
        BASE_DIR / "frontend" / "viewer" / "node_modules" / "@ohif" / "app" / "dist",
    )
)
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "xietong.core.static_vendor.VendorFinder",
]
# Forms render through our templates (core/templates/django/forms/): every widget gets
# the kit's classes in one place instead of in each form.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
MEDIA_ROOT = Path(os.environ.get("XT_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

XT_UPLOAD_MAX_MB = env_int("XT_UPLOAD_MAX_MB", 20)
# The largest STOW-RS request (a whole study in one multipart body, read into memory).
XT_STOW_MAX_MB = env_int("XT_STOW_MAX_MB", 1024)
# An image over this many megapixels is refused: decoding it (to show it, or to put it in a
# PDF) would take gigabytes of memory. A 300 dpi A3 scan is about 17.
XT_UPLOAD_MAX_MEGAPIXELS = env_int("XT_UPLOAD_MAX_MEGAPIXELS", 50)
DATA_UPLOAD_MAX_MEMORY_SIZE = XT_UPLOAD_MAX_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Minimum years clinical documents are kept (medical-record and telemedicine rules).
XT_RETENTION_OUTPATIENT_YEARS = env_int("XT_RETENTION_OUTPATIENT_YEARS", 15)
XT_RETENTION_INPATIENT_YEARS = env_int("XT_RETENTION_INPATIENT_YEARS", 30)
XT_RETENTION_AUDIO_VIDEO_YEARS = env_int("XT_RETENTION_AUDIO_VIDEO_YEARS", 3)

STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if os.environ.get("XT_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["XT_S3_BUCKET"],
            "endpoint_url": os.environ.get("XT_S3_ENDPOINT_URL"),
            "access_key": os.environ.get("XT_S3_ACCESS_KEY"),
            "secret_key": os.environ.get("XT_S3_SECRET_KEY"),
            "region_name": os.environ.get("XT_S3_REGION"),
        },
    }

REDIS_URL = os.environ.get("XT_REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task a worker took is given back when it has not finished after the lease, at most this
# many times (docs/adr/0011); the worker looks for such tasks every XT_TASK_RECOVER_SECONDS.
XT_TASK_LEASE_SECONDS = env_int("XT_TASK_LEASE_SECONDS", 300)
XT_TASK_MAX_ATTEMPTS = env_int("XT_TASK_MAX_ATTEMPTS", 3)
XT_TASK_RECOVER_SECONDS = env_int("XT_TASK_RECOVER_SECONDS", 60)
# Pushes to hospitals' gateways (ADR 27): the wait before a retry doubles from the base to
# the cap (with jitter); a message still waiting after XT_PUSH_STUCK_MINUTES is listed for
# the platform administrator.
XT_PUSH_TIMEOUT_SECONDS = env_int("XT_PUSH_TIMEOUT_SECONDS", 15)
XT_PUSH_RETRY_BASE_SECONDS = env_int("XT_PUSH_RETRY_BASE_SECONDS", 30)
XT_PUSH_RETRY_CAP_SECONDS = env_int("XT_PUSH_RETRY_CAP_SECONDS", 3600)
XT_PUSH_STUCK_MINUTES = env_int("XT_PUSH_STUCK_MINUTES", 30)
# The DICOM receiver (`manage dicom_receiver`, started by `./xt demo` and `./xt serve`):
# the port hospitals' PACS send C-STORE to, and the AE title they call it by.
XT_DICOM_PORT = env_int("XT_DICOM_PORT", 11112)
XT_DICOM_AE_TITLE = os.environ.get("XT_DICOM_AE_TITLE", "XIETONG")
# Whether each C-STORE waits for its commit to reach the disk before it is acknowledged
# (about 4 ms an instance on this machine's disk); by default an association's commits are
# made durable together when it ends (docs/adr/0029-cstore-throughput.md).
XT_DICOM_FLUSH_EACH = env_bool("XT_DICOM_FLUSH_EACH", False)
# Connection progress (exchange/connection/): a gateway whose last heartbeat is older than
# the first is late, older than the second silent. Gateways beat every minute by default.
XT_GATEWAY_LATE_AFTER_S = env_int("XT_GATEWAY_LATE_AFTER_S", 180)
XT_GATEWAY_SILENT_AFTER_S = env_int("XT_GATEWAY_SILENT_AFTER_S", 900)

# The task worker renders PDFs and delivers messages: work that may wait a second. It runs
# at this lower CPU priority (a nice value, 0-19) so that on a busy machine the requests
# people are waiting for come first (docs/adr/0021).
XT_TASK_WORKER_NICE = env_int("XT_TASK_WORKER_NICE", 10)

# E-mail goes out over SMTP when XT_SMTP_HOST is set; otherwise each message is written as a
# file under var/mail, so nothing is lost and the demo's mail can be read there.
if os.environ.get("XT_SMTP_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["XT_SMTP_HOST"]
    EMAIL_PORT = env_int("XT_SMTP_PORT", 465)
    EMAIL_HOST_USER = os.environ.get("XT_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("XT_SMTP_PASSWORD", "")
    EMAIL_USE_SSL = EMAIL_PORT == 465
    EMAIL_USE_TLS = not EMAIL_USE_SSL and env_bool("XT_SMTP_STARTTLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = os.environ.get("XT_MAIL_FROM", "xietong@localhost")

# Notifications: "outbox" keeps SMS in the outbox (marked sent); else a dotted SmsBackend class.
XT_SMS_BACKEND = os.environ.get("XT_SMS_BACKEND", "outbox")
# The signature registered with the SMS carrier, put in 【】 before every message.
XT_SMS_SIGNATURE = os.environ.get("XT_SMS_SIGNATURE", "协同医疗")
XT_OUTBOX_MAX_ATTEMPTS = env_int("XT_OUTBOX_MAX_ATTEMPTS", 5)
XT_OUTBOX_RETRY_SECONDS = env_int("XT_OUTBOX_RETRY_SECONDS", 60)
# How long a referral desk has to acknowledge an emergency (green channel) referral before
# the coordinator is alerted.
XT_REFERRAL_GREEN_ACK_MINUTES = env_int("XT_REFERRAL_GREEN_ACK_MINUTES", 15)
# Chat is kept at least 3 years (STANDARDS.md, online consultation records).
XT_CHAT_RETENTION_DAYS = env_int("XT_CHAT_RETENTION_DAYS", 1095)
# Reading other institutions' patient data (docs/adr/0013): how long a finished piece of
# work still reads what it shared, and how long an emergency access lasts.
XT_SHARED_READ_DAYS = env_int("XT_SHARED_READ_DAYS", 30)
XT_BREAK_GLASS_HOURS = env_int("XT_BREAK_GLASS_HOURS", 12)
# Minimum years a clinical document is kept, by retention class (outpatient >= 15 years,
# inpatient >= 30, consultation audio/video >= 3).
XT_RETENTION_OUTPATIENT_YEARS = env_int("XT_RETENTION_OUTPATIENT_YEARS", 15)
XT_RETENTION_INPATIENT_YEARS = env_int("XT_RETENTION_INPATIENT_YEARS", 30)
XT_RETENTION_AUDIO_VIDEO_YEARS = env_int("XT_RETENTION_AUDIO_VIDEO_YEARS", 3)
# Consultation deadlines (minutes to accept, to answer) that differ from the built-in table,
# keyed "<urgency>" or "<kind>:<urgency>" (consultations/services/_core.py).
XT_CONSULTATION_DEADLINES: dict[str, tuple[int, int]] = {}
# Imaging reading (imaging/reading/workflow.py): minutes a study may wait for its report
# before the worklist flags it overdue, per urgency, where they differ from the built-in
# table; and the professional titles whose readers review and sign final reports (审核医师).
XT_READING_OVERDUE_MINUTES: dict[str, int] = {}
XT_READING_SENIOR_TITLES: tuple[str, ...] = ("chief", "associate_chief")
# Video: Janus (the SFU) and coturn. Without XT_JANUS_URL calls are peer to peer (embedded).
XT_JANUS_URL = os.environ.get("XT_JANUS_URL", "")
XT_JANUS_ADMIN_KEY = os.environ.get("XT_JANUS_ADMIN_KEY", "")
XT_JANUS_ROOM_BITRATE = env_int("XT_JANUS_ROOM_BITRATE", 512_000)  # bit/s per publisher
XT_JANUS_PUBLISHERS = env_int("XT_JANUS_PUBLISHERS", 12)
XT_JANUS_RECORDINGS_DIR = Path(
    os.environ.get("XT_JANUS_RECORDINGS_DIR", VAR_DIR / "janus" / "recordings")
)
XT_TURN_URLS = os.environ.get("XT_TURN_URLS", "")  # comma-separated
XT_TURN_SECRET = os.environ.get("XT_TURN_SECRET", "")
XT_TURN_TTL_SECONDS = env_int("XT_TURN_TTL_SECONDS", 6 * 3600)
XT_VIDEO_JOIN_TTL_SECONDS = env_int("XT_VIDEO_JOIN_TTL_SECONDS", 120)
XT_VIDEO_OPEN_BEFORE_MINUTES = env_int("XT_VIDEO_OPEN_BEFORE_MINUTES", 15)

NINJA_PAGINATION_PER_PAGE = 50

_LOG_LEVEL = os.environ.get("XT_LOG_LEVEL", "WARNING").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _LOG_LEVEL},
    # A refusal (403, 404) is an ordinary answer, and it is already in the audit log: Django
    # would print a warning for each, with a traceback for a 403. Server errors still print.
    "loggers": {
        "django.request": {"level": "ERROR" if _LOG_LEVEL in {"WARNING", "ERROR"} else _LOG_LEVEL},
    },
}
