"""Browser tests: the real ASGI application served by uvicorn on a free local port,
driven by Playwright through Debian's Chromium.

Run them with `pytest -m browser tests/browser`. Without Chromium they skip, saying why,
unless XT_REQUIRE_BROWSER=1 makes that a failure (CI sets it)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test.utils import override_settings

from tests.live_server import LiveServer

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 812}


def chromium_path() -> str | None:
    """XT_CHROMIUM names the browser when set; otherwise Debian's Chromium."""
    wanted = os.environ.get("XT_CHROMIUM")
    candidates: list[str | None] = (
        [wanted] if wanted else ["/usr/bin/chromium", shutil.which("chromium")]
    )
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything in this folder needs the browser: `-m "not browser"` leaves it all out.
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    # Kept on the item so the page fixture knows, at teardown, whether to take a screenshot.
    setattr(item, f"xt_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def asgi_server(django_db_setup: None, django_db_blocker: Any) -> Iterator[LiveServer]:
    """The real application (config.asgi.application) against the test database.

    The server's own connections see what the test committed; that is why tests use
    transactional_db. On SQLite `./xt test` runs them on a database file in WAL mode
    (XT_TEST_SQLITE_FILE, config/settings/test.py), where a writer waits for another."""
    # Static files come straight from the apps' folders: no collectstatic in tests.
    static = override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
    static.enable()
    from config import asgi

    # The middleware (WhiteNoise's settings among them) is read when the handler is built;
    # rebuild it in case the module was imported before the override.
    asgi.django_asgi_app.load_middleware(is_async=True)
    server = LiveServer(asgi.application)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        static.disable()


@pytest.fixture
def server_url(transactional_db: None, asgi_server: LiveServer) -> Iterator[str]:
    yield asgi_server.url
    # Torn down after the test's pages are closed and before its database is flushed.
    asgi_server.in_flight.wait_idle()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        where = os.environ.get("XT_CHROMIUM") or "/usr/bin/chromium and chromium on PATH"
        reason = f"Chromium is not installed (looked for {where})"
        if os.environ.get("XT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}, and XT_REQUIRE_BROWSER=1 requires the browser tests")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread from here on.
    # The tests' own database work (creating the test database, factories, the flush
    # after each test) is still plain synchronous code: Django's async guard must let it be.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(request: pytest.FixtureRequest, browser: Any, server_url: str) -> Iterator[Any]:
    """Opens browser tabs, each with its own cookies: one per person at their own desk.
    Phone width, Chinese as the browser's language. On failure every tab is saved as a
    screenshot under test-artifacts/."""
    contexts: list[Any] = []
    # What the Content-Security-Policy refused: a page that needs it does not work for
    # people either, so it fails the test (Chromium reports each refusal on the console).
    refused: list[str] = []

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    def open_page() -> Any:
        context = browser.new_context(base_url=server_url, viewport=PHONE, locale="zh-CN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        tab = context.new_page()
        tab.on("console", on_console)
        return tab

    yield open_page
    report = getattr(request.node, "xt_report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
        for n, context in enumerate(contexts):
            for m, tab in enumerate(context.pages):
                tab.screenshot(path=str(ARTIFACTS / f"{name}-{n}{m}.png"), full_page=True)
    for context in contexts:
        context.close()
    assert not refused, f"the Content-Security-Policy refused: {refused[:3]}"


@pytest.fixture
def page(new_page: Any) -> Any:
    """The first person's tab."""
    return new_page()
