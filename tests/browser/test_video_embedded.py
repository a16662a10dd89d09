"""Two people of a real-time consultation open its video room on their phones, without a
media server: the browsers connect to each other and each sees the other's camera."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM_ARGS, PHONE, chromium_path
from tests.browser.helpers import horizontal_overflow_px, sign_in
from xietong.consultations.models import Consultation
from xietong.consultations.tests.world import World, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

T = TypeVar("T")
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
REMOTE_PLAYING = """() => [...document.querySelectorAll('video[data-remote]')].some(
  v => !v.paused && v.readyState >= 2 && v.videoWidth > 0 && v.currentTime > 0)"""


def _live_consultation() -> tuple[World, Consultation]:
    world = make_world()
    return world, world.to("in_progress", mode="realtime")


def _off_the_browser_thread(build: Callable[[], T]) -> T:
    """Playwright's event loop runs in the test's thread, and the consultation's events
    publish to the channel layer synchronously: build the world in a thread of its own."""

    def run() -> T:
        try:
            return build()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def camera_browser(browser: Any) -> Iterator[Any]:
    """Chromium with a fake camera and microphone, granted without asking."""
    launched = browser.browser_type.launch(
        executable_path=chromium_path(), headless=True, args=[*CHROMIUM_ARGS, *FAKE_MEDIA]
    )
    yield launched
    launched.close()


def test_two_people_see_each_other_in_the_embedded_mode(
    camera_browser: Any, server_url: str
) -> None:
    world, consultation = _off_the_browser_thread(_live_consultation)
    room = f"/video/rooms/consultation/{consultation.uuid}/"
    people = [world.requester.username, world.expert_actor.username]
    pages = []
    for username in people:
        context = camera_browser.new_context(base_url=server_url, viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(20_000)
        page = context.new_page()
        sign_in(page, username)
        page.goto(room)
        expect(page.locator("h1")).to_contain_text(consultation.number)
        pages.append(page)

    for page in pages:
        page.wait_for_function(REMOTE_PLAYING, timeout=30_000)
        expect(page.locator("[data-video-status]")).to_have_text("已接通。")
        expect(page.locator("[data-participants] li")).to_have_count(2)
        assert horizontal_overflow_px(page) == 0

    doctor, expert = pages
    doctor.get_by_role("button", name="静音").click()
    expect(expert.locator("[data-participants] li", has_text="已静音")).to_have_count(1)

    doctor.get_by_role("button", name="离开").click()
    expect(doctor.locator("[data-video-status]")).to_have_text("您已离开通话。")
    expect(expert.locator("[data-participants] li")).to_have_count(1)
    expect(expert.locator("video[data-remote]")).to_have_count(0)
    for page in pages:
        page.context.close()
