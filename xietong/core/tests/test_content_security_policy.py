"""The Content-Security-Policy header, and templates that keep to it: no inline script, no
event-handler attributes, no inline style (xietong/core/csp.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
# Rendered to PDF on the server, never shown by a browser.
SERVER_ONLY = {"slip_pdf.html", "opinion_pdf.html", "report_pdf.html"}

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)


def _templates() -> list[Path]:
    return [p for p in ROOT.glob("*/templates/**/*.html") if p.name not in SERVER_ONLY]


@pytest.mark.parametrize("pattern", [INLINE_SCRIPT, EVENT_HANDLER, INLINE_STYLE],
                         ids=["script", "handler", "style"])  # fmt: skip
def test_no_template_needs_inline_script_or_style(pattern: re.Pattern[str]) -> None:
    offending = [
        str(p.relative_to(ROOT)) for p in _templates() if pattern.search(p.read_text("utf-8"))
    ]
    assert offending == []


@pytest.mark.django_db
def test_pages_carry_the_policy(client: Client) -> None:
    client.force_login(make_user("requester"))
    response = client.get(reverse("home"), headers={"host": "xt.example.org"})
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self' ws://xt.example.org wss://xt.example.org"
    assert directives["img-src"] == "'self' data: blob:"
    assert directives["media-src"] == "'self' blob:"
    assert directives["object-src"] == "'none'"


@pytest.mark.django_db
def test_the_sign_in_page_and_the_admin_carry_it_too(client: Client) -> None:
    assert "Content-Security-Policy" in client.get(reverse("accounts:login"))
    assert "Content-Security-Policy" in client.get("/admin/login/")


@pytest.mark.django_db
def test_websockets_served_at_a_port_of_their_own_are_allowed_and_named(
    client: Client, settings
) -> None:
    settings.XT_WEBSOCKET_PORT = 8001
    client.force_login(make_user("requester"))
    response = client.get(reverse("home"), headers={"host": "xt.example.org:8000"})
    directives = dict(
        d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";")
    )
    assert directives["connect-src"] == "'self' ws://xt.example.org:8001 wss://xt.example.org:8001"
    assert 'data-ws-host="xt.example.org:8001"' in response.content.decode()


@pytest.mark.django_db
def test_websockets_on_the_pages_own_host_need_no_hint(client: Client) -> None:
    client.force_login(make_user("requester"))
    response = client.get(reverse("home"), headers={"host": "xt.example.org:8000"})
    assert "data-ws-host" not in response.content.decode()
