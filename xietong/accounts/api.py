"""Signing API clients in, their tokens, and who the caller acts as."""

# No "from __future__ import annotations": Ninja reads these types through csrf_exempt's
# wrapper, whose module cannot resolve names given as strings.

from datetime import datetime

from django.http import HttpRequest
from django.views.decorators.csrf import csrf_exempt
from ninja import Field, Router, Schema, Status

from xietong.core.api import ErrorOut
from xietong.core.http import ApiRequest

from .models import ApiToken
from .tokens import api_token_revoke, api_token_sign_in, api_tokens_for, get_api_token_for

router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    otp: str | None = Field(default=None, max_length=12, description="TOTP code, when enrolled")
    membership_id: int | None = Field(
        default=None, description="The membership to act through; the first active one if absent"
    )
    label: str = Field(default="", max_length=80, description="Where the token will be used")


class MembershipOut(Schema):
    id: int
    institution: str
    roles: list[str]


class TokenOut(Schema):
    token: str = Field(description="Shown this once; send it as 'Authorization: Bearer …'")
    expires_at: datetime
    membership: MembershipOut


class TokenListItem(Schema):
    id: int
    prefix: str
    label: str
    membership_id: int
    institution: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class MeOut(Schema):
    username: str
    display_name: str
    membership_id: int | None
    institution: str
    roles: list[str]


@router.post(
    "/token",
    auth=None,
    response={201: TokenOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Sign in and receive a bearer token",
)
@csrf_exempt
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    """Failed attempts count toward the account lock (429 while locked). Accounts with a
    second factor send `otp`; without it the answer is 401 with code `otp_required`."""
    token, key = api_token_sign_in(
        request=request,
        username=payload.username,
        password=payload.password,
        otp=payload.otp,
        membership_id=payload.membership_id,
        label=payload.label,
    )
    membership = token.membership
    return Status(
        201,
        {
            "token": key,
            "expires_at": token.expires_at,
            "membership": {
                "id": membership.pk,
                "institution": membership.institution.name,
                "roles": list(membership.roles),
            },
        },
    )


def _token_item(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.pk,
        "prefix": token.prefix,
        "label": token.label,
        "membership_id": token.membership_id,
        "institution": token.membership.institution.name,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


@router.get("/tokens", response=list[TokenListItem], summary="The caller's own tokens")
def token_list(request: ApiRequest) -> list[dict[str, object]]:
    return [_token_item(t) for t in api_tokens_for(actor=request.auth)[:200]]


@router.delete(
    "/tokens/{token_id}", response={204: None, 404: ErrorOut}, summary="Revoke one of your tokens"
)
def token_revoke(request: ApiRequest, token_id: int) -> Status[None]:
    token = get_api_token_for(actor=request.auth, token_id=token_id)
    api_token_revoke(actor=request.auth, token_id=token.pk)
    return Status(204, None)


@router.get("/me", response=MeOut, summary="Who the caller acts as")
def me(request: ApiRequest) -> dict[str, object]:
    actor = request.auth
    user = getattr(request, "user", None)
    return {
        "username": actor.username,
        "display_name": getattr(user, "display_name", "") or "",
        "membership_id": actor.membership_id,
        "institution": actor.institution_name,
        "roles": sorted(actor.roles),
    }
