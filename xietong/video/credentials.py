"""Short-lived join credentials and TURN passwords.

A join credential is signed by the server (django.core.signing, its own salt), names one
room, one user and the membership they act through, and expires after
XT_VIDEO_JOIN_TTL_SECONDS. Checking it asks the subject's policy again, so someone whose
access was withdrawn after the credential was issued is refused too.

TURN uses coturn's shared-secret scheme (use-auth-secret / static-auth-secret): the username
is "<expiry unix time>:<user id>" and the password base64(HMAC-SHA1(secret, username)), so
coturn checks them without asking us."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass

from django.core import signing
from django.utils.translation import gettext_lazy as _

from xietong.accounts.actors import actor_for_user
from xietong.accounts.models import User
from xietong.core.actor import Actor
from xietong.core.errors import NotPermitted

from . import conf
from .access import room_access_allows
from .models import Room

SALT = "xietong.video.join"


@dataclass(frozen=True)
class IceServer:
    urls: list[str]
    username: str = ""
    credential: str = ""


def join_credential_issue(*, room: Room, actor: Actor) -> str:
    return signing.dumps(
        {"r": str(room.uuid), "u": actor.user_id, "m": actor.membership_id}, salt=SALT
    )


def join_credential_check(*, credential: str, room: Room) -> Actor:
    """The actor the credential was issued to, if it is still valid for this room."""
    try:
        data = signing.loads(credential, salt=SALT, max_age=conf.join_ttl_seconds())
    except signing.SignatureExpired as exc:
        raise NotPermitted(_("This invitation to join has expired; join again.")) from exc
    except signing.BadSignature as exc:
        raise NotPermitted(_("This invitation to join is not valid.")) from exc
    if not isinstance(data, dict) or data.get("r") != str(room.uuid):
        raise NotPermitted(_("This invitation is for another room."))
    user = User.objects.filter(pk=int(data.get("u") or 0), is_active=True).first()
    actor = actor_for_user(user=user, membership_id=data.get("m")) if user else None
    if (
        actor is None
        or room.closed_at is not None
        or not room_access_allows(actor, room.subject_type, room.subject_id)
    ):
        raise NotPermitted(_("You are not admitted to this room."))
    return actor


def turn_password(secret: str, username: str) -> str:
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def ice_servers_for(*, user_id: int, now: float | None = None) -> list[IceServer]:
    """TURN (and STUN) servers to offer this user's browser, with a time-limited
    password; nothing when no TURN server is configured."""
    urls, secret = conf.turn_urls(), conf.turn_secret()
    if not urls or not secret:
        return []
    expires = int((now if now is not None else time.time()) + conf.turn_ttl_seconds())
    username = f"{expires}:{user_id}"
    return [IceServer(urls=urls, username=username, credential=turn_password(secret, username))]
