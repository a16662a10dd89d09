"""What a person does in the browser, said once."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from xietong.accounts.tests.factories import PASSWORD


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("input[name=password]")).to_have_count(0)


def horizontal_overflow_px(page: Any) -> int:
    """How far the page is wider than the window; 0 means no sideways scrolling."""
    return int(
        page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - window.innerWidth"
        )
    )
