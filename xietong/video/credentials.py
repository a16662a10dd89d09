"""Short-lived join credentials and TURN passwords.

A join credential is signed by the server (django.core.signing, its own salt), names one
room, one user and the membership they act through, and expires after
XT_VIDEO_JOIN_TTL_SECONDS. Checking it asks the subject's policy again, so someone whose
access was withdrawn after the credential was issued is refused too.

It is also bound to whoever asked for it: the browser session, or the API token (binding.py).
The credential travels in the socket's URL, where proxies and logs may keep it; bound, it
admits only a socket of the same session or presenting the same token, so a copied URL is
useless elsewhere. The binding is a keyed digest, never the session key itself.

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
from django.utils.crypto import constant_time_compare, salted_hmac
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


def join_binding(*, session_key: str | None = None, token_id: int | None = None) -> str:
    """Who asked for a credential, as the credential carries it: the API token when the
    request came with one, else the session; "" for neither (a service called directly),
    which only a socket with neither may present."""
    if token_id is not None:
        raw = f"token:{token_id}"
    elif session_key:
        raw = f"session:{session_key}"
    else:
        return ""
    return salted_hmac(f"{SALT}.binding", raw).hexdigest()[:32]


def join_credential_issue(*, room: Room, actor: Actor, binding: str = "") -> str:
    return signing.dumps(
        {"r": str(room.uuid), "u": actor.user_id, "m": actor.membership_id, "b": binding},
        salt=SALT,
    )


def join_credential_check(*, credential: str, room: Room, binding: str = "") -> Actor:
    """The actor the credential was issued to, if it is still valid for this room and
    presented with the binding it was issued for (join_binding of the presenting socket)."""
    try:
        data = signing.loads(credential, salt=SALT, max_age=conf.join_ttl_seconds())
    except signing.SignatureExpired as exc:
        raise NotPermitted(_("This invitation to join has expired; join again.")) from exc
    except signing.BadSignature as exc:
        raise NotPermitted(_("This invitation to join is not valid.")) from exc
    if not isinstance(data, dict) or data.get("r") != str(room.uuid):
        raise NotPermitted(_("This invitation is for another room."))
    if not constant_time_compare(str(data.get("b") or ""), binding):
        raise NotPermitted(
            _("This invitation to join was asked for from another sign-in; join again here.")
        )
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
