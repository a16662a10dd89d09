"""The administration pages in the browser: an administrator finds people with the filters
and opens one at the first click, adds a person (a refused password said beside its field,
in Chinese), and every button is the kit's, at a desk and on a phone."""

from __future__ import annotations

from typing import Any, cast

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import expect_kit_buttons, horizontal_overflow_px, sign_in
from xietong.accounts.models import User
from xietong.accounts.tests.factories import make_membership
from xietong.administration.tests.conftest import staff_admin
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESK = {"width": 1366, "height": 900}


def _world() -> User:
    centre = cast(Institution, InstitutionFactory(name="远程医学中心"))
    county = InstitutionFactory(name="金桥县医院")
    for n in range(3):
        member = make_membership(institution=county, roles=["expert"])
        member.user.display_name = f"专家{n}"
        member.user.save()
    make_membership(institution=county, roles=["requester"])
    admin = staff_admin(centre, "platform_admin")
    admin.username = "root"
    admin.save()
    return admin


def test_a_person_opens_at_the_first_click_after_filtering(page: Any) -> None:
    _world()
    page.set_viewport_size(DESK)
    sign_in(page, "root")
    page.goto("/manage/people/")
    expect(page.locator("h1")).to_contain_text("人员管理")
    expect_kit_buttons(page)
    # The role filter is searchable; choosing one filters the list in place.
    page.locator("#id_role-ts-control").focus()
    page.keyboard.type("专家")
    page.locator(".ts-dropdown .option").get_by_text("专家", exact=True).click()
    expect(page.locator("#rows tbody tr")).to_have_count(3)
    # Leaving the filter moves nothing: the click lands on the name.
    first = page.locator("#rows tbody tr a").first
    name = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_contain_text(name)
    expect_kit_buttons(page)
    # Removing a membership asks first.
    page.get_by_role("button", name="移除…").click()
    expect(page.get_by_role("button", name="移除成员身份")).to_be_visible()


def test_a_person_is_added_on_a_phone(page: Any) -> None:
    _world()
    sign_in(page, "root")
    page.goto("/manage/people/new/")
    assert horizontal_overflow_px(page) <= 0
    expect_kit_buttons(page)
    page.locator("#id_display_name").fill("李娜")
    page.locator("#id_username").fill("li_na")
    page.locator("#id_password").fill("12345678")
    page.locator("#id_password2").fill("12345678")
    page.locator("#id_institution-ts-control").focus()
    page.keyboard.type("金桥")
    page.locator(".ts-dropdown .option", has_text="金桥县医院").click()
    page.locator("input[name=roles][value=requester]").check()
    page.get_by_role("button", name="添加人员").click()
    expect(page.locator("#id_password_error")).to_contain_text("密码只包含数字")
    assert not User.objects.filter(username="li_na").exists()
    page.locator("#id_password").fill("Ward-Round-2026")
    page.locator("#id_password2").fill("Ward-Round-2026")
    page.get_by_role("button", name="添加人员").click()
    expect(page.locator(".alert-success")).to_contain_text("已添加 李娜")
    expect(page.locator("h1")).to_contain_text("李娜")
    assert horizontal_overflow_px(page) <= 0
