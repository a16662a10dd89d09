"""Helpers for the request-side page tests: sign a world's actor in, read the page."""

from __future__ import annotations

from typing import Any

from django.test import Client

from xietong.accounts.models import User
from xietong.core.actor import Actor


def sign_in(client: Client, actor: Actor, language: str = "en") -> Client:
    client.force_login(User.objects.get(pk=actor.user_id))
    client.cookies["django_language"] = language
    return client


def text(response: Any) -> str:
    return str(response.content.decode())
