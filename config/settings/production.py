"""Production: PostgreSQL (XT_DATABASE_URL), Redis (XT_REDIS_URL), S3 or a media folder,
two-factor sign-in for privileged roles, HTTPS only (HSTS, redirects, secure cookies), and
the host names the site answers to."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS, env_bool, env_int

if not os.environ.get("XT_SECRET_KEY"):
    raise ImproperlyConfigured("XT_SECRET_KEY must be set in production mode")
if not os.environ.get("XT_AUDIT_KEY"):
    raise ImproperlyConfigured("XT_AUDIT_KEY must be set in production mode")
XT_AUDIT_KEY_FILE = None  # never a key made up beside the data it protects
# The host names decide which Host headers are answered and which origins may open a
# WebSocket (config/asgi.py checks origins against them): "*" would let any site's pages
# talk to the chat and video sockets with the user's cookies.
if not os.environ.get("XT_ALLOWED_HOSTS") or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "XT_ALLOWED_HOSTS must name the host names of the site in production mode, "
        "comma-separated (e.g. xt.example.org), not '*'"
    )

XT_REQUIRE_2FA = env_bool("XT_REQUIRE_2FA", True)
SESSION_COOKIE_SECURE = env_bool("XT_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("XT_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("XT_HSTS_SECONDS", 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("XT_HSTS_INCLUDE_SUBDOMAINS", False)
# Only a proxy that terminates TLS and sets X-Forwarded-Proto may be believed about it;
# without one, any client could claim HTTPS with that header.
if env_bool("XT_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers' health checks come over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
