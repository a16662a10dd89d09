"""What every referral page shares: the signed-in actor, and refusals told as messages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http.response import HttpResponseBase

from xietong.core.errors import NotPermitted
from xietong.core.http import ActorRequest

View = Callable[..., HttpResponseBase]


def actor_view(view: View) -> View:
    """Signed in and acting through a membership: what the actor may see is decided by the
    selectors (404), what they may do by the services."""

    @login_required
    @wraps(view)
    def wrapper(request: ActorRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.actor is None:
            raise PermissionDenied
        try:
            return view(request, request.actor, *args, **kwargs)
        except NotPermitted as exc:
            raise PermissionDenied(str(exc.message)) from exc

    return wrapper
