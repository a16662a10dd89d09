"""The first pages anyone sees: they fit a phone, and speak English on request."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import horizontal_overflow_px, sign_in
from xietong.accounts.tests.factories import MembershipFactory, UserFactory
from xietong.directory.tests.factories import InstitutionFactory

# Committed data: the server answers from its own database connection.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_fits_a_phone_in_chinese(page: Any) -> None:
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("登录")
    expect(page.locator("footer")).to_have_text("协同·区域协同医疗服务平台")
    assert page.viewport_size["width"] == 375
    assert horizontal_overflow_px(page) <= 0


def test_english_switch_then_home_page_fits_a_phone(page: Any) -> None:
    user = UserFactory(username="li.wei", display_name="李伟")
    MembershipFactory(user=user, institution=InstitutionFactory(name="中牟县人民医院"))

    page.goto("/accounts/login/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Sign in")

    sign_in(page, "li.wei")
    expect(page.locator("h1")).to_have_text("What to do next")
    expect(page.locator(".acting-banner")).to_contain_text("Acting for 中牟县人民医院")
    assert horizontal_overflow_px(page) <= 0

    # The menu folds away on a phone and opens on demand.
    nav = page.locator("#mainnav")
    expect(nav).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav.get_by_role("link", name="Home")).to_be_visible()
    assert horizontal_overflow_px(page) <= 0

    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("待办事项")
