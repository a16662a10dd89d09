"""Production: PostgreSQL (XT_DATABASE_URL), Redis (XT_REDIS_URL), S3 or a media folder,
two-factor sign-in for privileged roles, secure cookies behind TLS."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

if not os.environ.get("XT_SECRET_KEY"):
    raise ImproperlyConfigured("XT_SECRET_KEY must be set in production mode")
if not os.environ.get("XT_AUDIT_KEY"):
    raise ImproperlyConfigured("XT_AUDIT_KEY must be set in production mode")
XT_AUDIT_KEY_FILE = None  # never a key made up beside the data it protects

XT_REQUIRE_2FA = env_bool("XT_REQUIRE_2FA", True)
SESSION_COOKIE_SECURE = env_bool("XT_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
