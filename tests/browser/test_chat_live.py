"""Two people open the same discussion on their phones; each sees the other's messages
arrive without reloading, and who has read them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import horizontal_overflow_px, sign_in
from xietong.accounts.tests.factories import MembershipFactory, UserFactory
from xietong.chat.access import thread_access_register, thread_access_unregister
from xietong.chat.services import thread_for_subject
from xietong.core.actor import Actor
from xietong.directory.tests.factories import InstitutionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = {"county_doctor": "李医生", "provincial_expert": "王教授"}


@pytest.fixture
def discussion() -> Iterator[str]:
    for username, name in PEOPLE.items():
        MembershipFactory(
            user=UserFactory(username=username, display_name=name),
            institution=InstitutionFactory(
                name="柘城县人民医院" if username == "county_doctor" else "河南省人民医院"
            ),
            roles=["requester"] if username == "county_doctor" else ["expert"],
        )
    # A subject type of this test's own: its owner admits the two people above.
    thread_access_register("browser-case", lambda actor, _sid: _named(actor))
    thread = thread_for_subject("browser-case", "case-1", "胸痛病例讨论")
    yield f"/conferencing/threads/{thread.uuid}/"
    thread_access_unregister("browser-case")


def _named(actor: Actor) -> bool:
    return actor.username in PEOPLE


def test_two_people_chat_live(discussion: str, new_page: Any) -> None:
    doctor, expert = new_page(), new_page()
    sign_in(doctor, "county_doctor")
    sign_in(expert, "provincial_expert")
    for page in (doctor, expert):
        page.goto(discussion)
        expect(page.locator("h1")).to_have_text("胸痛病例讨论")
        expect(page.locator(".thread-empty")).to_be_visible()
    # Both sockets are open before anyone writes (the status line stays hidden).
    for page in (doctor, expert):
        page.wait_for_function(
            "() => document.querySelector('section.thread').dataset.live === '1'"
        )

    doctor.locator("textarea[name=body]").fill("患者胸痛两小时，心电图已上传")
    doctor.locator(".thread-form button[type=submit]").click()
    arrived = expert.locator(".thread-message", has_text="患者胸痛两小时")
    expect(arrived).to_be_visible()
    expect(arrived.locator(".thread-author")).to_have_text("李医生")
    expect(arrived).to_contain_text("柘城县人民医院")
    expect(doctor.locator("textarea[name=body]")).to_have_value("")

    # The expert has it on screen: the doctor is told it was read.
    expect(doctor.locator("[data-readby]")).to_contain_text("王教授")

    expert.locator("textarea[name=body]").fill("建议急查肌钙蛋白")
    expert.locator(".thread-form button[type=submit]").click()
    reply = doctor.locator(".thread-message", has_text="建议急查肌钙蛋白")
    expect(reply).to_be_visible()
    expect(reply.locator(".thread-author")).to_have_text("王教授")
    # Each message shows once on each side, whichever way it arrived first.
    expect(doctor.locator(".thread-message")).to_have_count(2)
    expect(expert.locator(".thread-message")).to_have_count(2)

    for page in (doctor, expert):
        assert horizontal_overflow_px(page) == 0


def test_what_was_said_while_the_connection_dropped_arrives_when_it_is_back(
    discussion: str, new_page: Any
) -> None:
    doctor, expert = new_page(), new_page()
    sign_in(doctor, "county_doctor")
    sign_in(expert, "provincial_expert")
    # The expert's socket passes through a route this test can cut, as a train's tunnel
    # or a township's weak signal would.
    routes: list[Any] = []

    def through(ws: Any) -> None:
        ws.connect_to_server()
        routes.append(ws)

    expert.route_web_socket(re.compile(r"/ws/threads/"), through)
    for page in (doctor, expert):
        page.goto(discussion)
        page.wait_for_function(
            "() => document.querySelector('section.thread').dataset.live === '1'"
        )

    routes[-1].close(code=1006, reason="signal lost")
    expert.wait_for_function("() => !document.querySelector('section.thread').dataset.live")
    doctor.locator("textarea[name=body]").fill("血压 90/60，心率 110")
    doctor.locator(".thread-form button[type=submit]").click()
    expect(doctor.locator(".thread-message", has_text="血压 90/60")).to_be_visible()

    # The page reconnects by itself and shows what it missed, once, without a reload.
    missed = expert.locator(".thread-message", has_text="血压 90/60")
    expect(missed).to_be_visible(timeout=10_000)
    expect(missed.locator(".thread-author")).to_have_text("李医生")
    expect(expert.locator(".thread-message")).to_have_count(1)
