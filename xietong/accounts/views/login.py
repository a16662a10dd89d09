from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong.core.errors import NotFound

from ..actors import SESSION_MEMBERSHIP_KEY
from ..forms import PastLockForm
from ..lockout import STILL_LOCKED, StillLocked, lock_context, sign_in_past_lock
from ..middleware import IDLE_SIGNED_OUT
from ..models import User
from ..services import membership_switch
from ..two_factor import SecondFactor, second_factor_needed, totp_session_login
from .common import UserRequest, safe_next


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.session.pop(IDLE_SIGNED_OUT, False):
            messages.info(request, _("You were signed out after a period of inactivity."))
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)  # signs in with the password
        user = self.request.user
        need = second_factor_needed(user) if isinstance(user, User) else SecondFactor.NOT_NEEDED
        if need is SecondFactor.NOT_NEEDED:
            return response
        # The second step; until it is done the session can open nothing else.
        step = "accounts:totp_setup" if need is SecondFactor.ENROL else "accounts:otp_verify"
        return HttpResponseRedirect(
            reverse(step) + "?" + urlencode({"next": self.get_success_url()})
        )


@require_POST
@login_required
def switch_membership(request: UserRequest) -> HttpResponse:
    try:
        wanted: int | None = int(request.POST.get("membership", ""))
    except ValueError:
        wanted = None
    current = request.actor.membership_id if request.actor else None
    try:
        chosen = membership_switch(user=request.user, membership_id=wanted, current_id=current)
    except NotFound as exc:
        messages.error(request, str(exc.message))
    else:
        request.session[SESSION_MEMBERSHIP_KEY] = chosen.pk
        messages.success(
            request, _("You now act for %(institution)s.") % {"institution": chosen.institution}
        )
    return redirect(safe_next(request, reverse("home")))


def lockout_response(request: HttpRequest, original_response: Any = None,
                     credentials: Any = None) -> HttpResponse:  # fmt: skip
    """What axes answers while an account is locked: JSON to API clients, a page to people
    (with the sign-in by password and code that passes the lock, docs/adr/0012)."""
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    if request.path.startswith("/api/"):
        message = _(
            "Too many failed sign-in attempts. The account is locked for %(minutes)s minutes."
        ) % {"minutes": minutes}
        return JsonResponse({"code": "locked", "message": message}, status=429,
                            json_dumps_params={"ensure_ascii": False})  # fmt: skip
    context = {
        "minutes": minutes,
        "form": PastLockForm(initial={**lock_context(credentials)}),
        "refused": getattr(request, "xt_past_lock_refused", None),
        "next": safe_next(request, ""),
    }
    return render(request, "accounts/locked.html", context, status=429)


@require_POST
def login_past_lock(request: HttpRequest) -> HttpResponse:
    """Password and a current code together sign in to a locked account that has a second
    factor; any failure shows the lock page again, saying nothing about what was wrong."""
    form = PastLockForm(request.POST)
    if form.is_valid():
        try:
            user, device = sign_in_past_lock(
                request=request,
                username=form.cleaned_data["locked_username"],
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
            )
        except StillLocked as exc:
            request.xt_past_lock_refused = exc.message  # type: ignore[attr-defined]
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            totp_session_login(request=request, user=user, device=device, via="totp_past_lock")
            return redirect(safe_next(request, reverse("home")))
    else:
        request.xt_past_lock_refused = STILL_LOCKED  # type: ignore[attr-defined]
    return lockout_response(request, credentials={"username": request.POST.get("locked_username")})
