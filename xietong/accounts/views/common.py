from __future__ import annotations

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from xietong.core.http import ActorRequest

from ..models import User


class UserRequest(ActorRequest):
    """A request from a signed-in user (the views check it with login_required)."""

    user: User


def safe_next(request: HttpRequest, default: str) -> str:
    """The page to return to, if it is on this site; else the default."""
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default
