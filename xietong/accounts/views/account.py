"""My account: memberships, the second factor, password and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong.core.errors import NotFound
from xietong.core.pages import safe_next

from ..forms import TokenIssueForm, TotpDisableForm
from ..models import TOKEN_ISSUER_ROLES, Membership, User
from ..services import password_changed
from ..tokens import api_token_issue, api_token_revoke, api_tokens_for, get_api_token_for
from ..two_factor import totp_confirmed, user_is_privileged
from .common import UserRequest


def _account_context(request: UserRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    actor = request.actor
    memberships = (
        Membership.objects.filter(user=user, active=True)
        .select_related("institution")
        .order_by("id")
    )
    tokens = api_tokens_for(actor=actor)[:50] if actor else []
    context: dict[str, Any] = {
        "memberships": memberships,
        "totp_on": totp_confirmed(user),
        "totp_advised": user_is_privileged(user),
        "disable_form": TotpDisableForm(),
        "token_form": TokenIssueForm(),
        "tokens": tokens,
        "may_issue_tokens": bool(actor and actor.has_role(*TOKEN_ISSUER_ROLES)),
        "now_utc": timezone.now(),
    }
    context.update(extra)
    return context


@login_required
def account(request: UserRequest) -> HttpResponse:
    return render(request, "accounts/account.html", _account_context(request))


@require_POST
@login_required
def account_token_issue(request: UserRequest) -> HttpResponse:
    form = TokenIssueForm(request.POST)
    actor = request.actor
    if actor is None or actor.membership_id is None:
        messages.error(request, _("A token acts for a membership, and you have none."))
        return redirect("accounts:account")
    if not actor.has_role(*TOKEN_ISSUER_ROLES):
        # A role that never takes this step: 403 (core/errors.py).
        raise PermissionDenied(_("API tokens are issued by administrators who connect programs."))
    if not form.is_valid():
        context = _account_context(request, token_form=form)
        return render(request, "accounts/account.html", context, status=422)
    membership = Membership.objects.select_related("user", "institution__region").get(
        pk=actor.membership_id
    )
    token, key = api_token_issue(membership=membership, label=form.cleaned_data["label"])
    # Shown in this answer only: the key is not stored, so there is no page to come back to.
    context = _account_context(request, new_token=token, new_key=key)
    response = render(request, "accounts/account.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def account_token_revoke(request: UserRequest, token_id: int) -> HttpResponse:
    actor = request.actor
    if actor is None:
        raise NotFound()
    token = get_api_token_for(actor=actor, token_id=token_id)
    if api_token_revoke(actor=actor, token_id=token.pk):
        messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("accounts:account")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def _required(self) -> bool:
        return bool(getattr(self.request.user, "password_change_required", False))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        # A temporary password must be replaced: the page says why and offers no way round.
        return {**super().get_context_data(**kwargs), "required": self._required()}

    def form_valid(self, form: Form) -> HttpResponse:
        was_required = self._required()
        response = super().form_valid(form)
        user = self.request.user
        if isinstance(user, User):
            password_changed(user=user)
        messages.success(self.request, _("Your password is changed."))
        if was_required:  # on to the page they were going to
            return redirect(safe_next(self.request, reverse("home")))  # type: ignore[arg-type]
        return response


password_change = PasswordChangeView.as_view()
