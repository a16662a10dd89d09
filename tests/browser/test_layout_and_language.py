"""The first pages anyone sees: they fit a phone, and speak English on request."""

from __future__ import annotations

from typing import Any, cast

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import expect_kit_buttons, horizontal_overflow_px, sign_in
from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory, UserFactory
from xietong.directory.models import Institution
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
    nav.get_by_role("button", name="Close").click()
    expect(nav).to_be_hidden()

    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("待办事项")


def test_login_is_one_card_under_the_platforms_name(page: Any) -> None:
    page.goto("/accounts/login/")
    card = page.locator("main .card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("区域协同医疗服务平台")
    expect(card.locator("input[name=username]")).to_be_focused()
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert horizontal_overflow_px(page) <= 0
    page.set_viewport_size({"width": 1366, "height": 900})
    box = card.bounding_box()
    assert box is not None
    # Centred on a wide screen, not stretched across it.
    assert box["width"] < 500 and abs(box["x"] + box["width"] / 2 - 683) < 20


# The navigation entries of the pages above (other apps' entries are theirs to draw).
OUR_ENTRIES = {
    "/", "/patients/", "/video/", "/notifications/", "/directory/", "/directory/experts/",
    "/accounts/me/", "/audit/", "/notifications/outbox/",
}  # fmt: skip


def test_the_main_pages_have_only_the_kits_buttons_and_fit_a_phone(new_page: Any) -> None:
    from xietong.notifications.models import Notification
    from xietong.patients.tests.factories import make_patient

    hospital = cast(Institution, InstitutionFactory(name="中牟县人民医院"))
    doctor = cast(
        Membership,
        MembershipFactory(
            user=UserFactory(username="li.wei"), institution=hospital, roles=["requester"]
        ),
    )
    MembershipFactory(user=UserFactory(username="admin"), roles=["platform_admin"])
    patient = make_patient(hospital, name="王秀英")
    Notification.objects.create(
        recipient_id=doctor.user_id, kind="test", title="会诊已接受", url="/"
    )
    pages = {
        "li.wei": [
            "/",
            "/patients/",
            f"/patients/{patient.uuid}/",
            "/patients/new/",
            f"/records/patients/{patient.uuid}/",
            "/directory/",
            "/directory/experts/",
            "/notifications/",
            "/accounts/me/",
            "/accounts/me/password/",
            "/video/",
            "/patients/00000000-0000-0000-0000-000000000000/",
        ],
        "admin": [
            "/audit/",
            "/notifications/outbox/",
            "/accounts/me/",
        ],
    }
    for username, visits in pages.items():
        tab = new_page()
        sign_in(tab, username)
        for path in visits:
            tab.goto(path)
            expect_kit_buttons(tab)
            assert horizontal_overflow_px(tab) <= 0, path
        # The entries of these pages each have an icon of their own.
        icons = tab.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('#mainnav .nav-link')]
                 .map((a) => [a.getAttribute('href'), a.querySelector('i.bi').className]))"""
        )
        assert [h for h, icon in icons.items() if h in OUR_ENTRIES and "bi-circle" in icon] == []
    # The notifications entry counts what is unread.
    tab = new_page()
    sign_in(tab, "li.wei")
    tab.get_by_role("button", name="菜单").click()
    expect(tab.locator('#mainnav a[href="/notifications/"] .xt-nav-count')).to_have_text("1")
