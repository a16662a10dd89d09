"""The second step of signing in, setting up an authenticator, and turning it off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from xietong.core.errors import ValidationFailed

from .. import two_factor as tf
from ..forms import CodeForm, TotpDisableForm
from ..two_factor import (
    SecondFactor,
    session_pending,
    totp_confirmed,
    totp_enrol_confirm,
    totp_pending_device,
    totp_qr_svg,
    totp_secret_text,
    totp_session_login,
    totp_verify,
)
from .common import UserRequest, safe_next


def _add_errors(form: CodeForm | TotpDisableForm, exc: ValidationFailed) -> None:
    for field, errors in exc.fields.items():
        for error in errors:
            form.add_error(None if field == "__all__" else field, str(error))


@login_required
def otp_verify(request: UserRequest) -> HttpResponse:
    done = safe_next(request, reverse("home"))
    pending = session_pending(request)
    if pending is SecondFactor.NOT_NEEDED:
        return redirect(done)
    if pending is SecondFactor.ENROL:
        return redirect(reverse("accounts:totp_setup") + "?" + request.GET.urlencode())
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = totp_verify(user=request.user, code=form.cleaned_data["code"])
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            totp_session_login(request=request, user=request.user, device=device, via="totp")
            return redirect(done)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": done})


@login_required
def totp_setup(request: UserRequest) -> HttpResponse:
    if totp_confirmed(request.user):
        messages.info(request, _("Two-factor sign-in is already on."))
        return redirect(reverse("accounts:account"))
    # Whether this completes a sign-in (forced set-up) or protects a session already in.
    completing_sign_in = session_pending(request) is SecondFactor.ENROL
    done = safe_next(request, reverse("home" if completing_sign_in else "accounts:account"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = totp_enrol_confirm(user=request.user, code=form.cleaned_data["code"])
        except ValidationFailed as exc:
            _add_errors(form, exc)
        else:
            if completing_sign_in:
                totp_session_login(request=request, user=request.user, device=device,
                                   via="totp_enrolment")  # fmt: skip
            else:
                otp_login(request, device)  # this session has just proven the code
            messages.success(
                request, _("Two-factor sign-in is on. You will be asked for a code each time.")
            )
            return redirect(done)
    device = totp_pending_device(user=request.user)
    context = {
        "form": form,
        "next": done,
        "qr_svg": totp_qr_svg(device),
        "secret": totp_secret_text(device),
        "forced": completing_sign_in,
    }
    return render(request, "accounts/totp_setup.html", context)


@require_POST
@login_required
def totp_disable(request: UserRequest) -> HttpResponse:
    form = TotpDisableForm(request.POST)
    if form.is_valid():
        try:
            tf.totp_disable(
                user=request.user,
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
            )
        except ValidationFailed as exc:
            for errors in exc.fields.values():
                for error in errors:
                    messages.error(request, str(error))
        else:
            messages.success(request, _("Two-factor sign-in is off."))
    return redirect("accounts:account")
