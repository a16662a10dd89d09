"""The directory's administration pages in the browser, at a desk (1366 px) and on a phone
(390 px): the institutions list filters in place and, on a phone, shows each institution as
a card without sideways scrolling; a collaboration link is added with both institutions
picked by typing, a link to itself refused beside the client in Chinese. Every button is
the kit's."""

from __future__ import annotations

from typing import Any, cast

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import expect_kit_buttons, horizontal_overflow_px, sign_in
from xietong.administration.tests.conftest import staff_admin
from xietong.directory.models import CollaborationLink, Institution
from xietong.directory.tests.factories import InstitutionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DESK = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("size", [DESK, PHONE], ids=["desk", "phone"])


def _world() -> tuple[Institution, Institution]:
    centre = cast(
        Institution,
        InstitutionFactory(
            name="河南省协同远程医学中心", level="provincial", kind="telemedicine_centre", grade=""
        ),
    )
    county = cast(Institution, InstitutionFactory(name="金桥县人民医院", short_name="金桥县医院"))
    for n in range(3):
        InstitutionFactory(name=f"金桥县第{n + 1}乡镇卫生院", level="township",
                           kind="health_centre", grade="1", upline=county)  # fmt: skip
    InstitutionFactory(name="旧城卫生室", level="village", kind="clinic", grade="", active=False)
    admin = staff_admin(centre, "platform_admin")
    admin.username = "root"
    admin.save()
    return centre, county


@SIZES
def test_the_institutions_list_filters_in_place(page: Any, size: dict[str, int]) -> None:
    _world()
    page.set_viewport_size(size)
    sign_in(page, "root")
    page.goto("/manage/institutions/")
    expect(page.locator("h1")).to_contain_text("机构管理")
    expect(page.locator("#rows tbody tr")).to_have_count(6)
    expect_kit_buttons(page)
    assert horizontal_overflow_px(page) <= 0
    # The level filter is a select: choosing one filters the list without a reload.
    page.locator("#id_level").select_option("township")
    expect(page.locator("#rows tbody tr")).to_have_count(3)
    expect(page).to_have_url("/manage/institutions/?q=&level=township&kind=&active=", timeout=5000)
    first = page.locator("#rows tbody tr").first
    if size == PHONE:
        # Each row is a card: its cells one under another, each named by its column.
        expect(page.locator("#rows thead")).to_be_hidden()
        label = (
            first.locator("td").nth(2).evaluate("(td) => getComputedStyle(td, '::before').content")
        )
        assert "级别" in label
    # Searching by name; the row opens the institution's page.
    page.locator("#id_level").select_option("")
    page.locator("#id_q").fill("旧城")
    page.locator("#id_q").press("Enter")
    expect(page.locator("#rows tbody tr")).to_have_count(1)
    expect(page.locator("#rows")).to_contain_text("已停用")
    page.locator("#rows tbody tr a").first.click()
    expect(page.locator("h1")).to_contain_text("旧城卫生室")
    expect(page.get_by_role("button", name="重新启用")).to_be_visible()
    expect_kit_buttons(page)
    assert horizontal_overflow_px(page) <= 0


def _pick(page: Any, field: str, typed: str, option: str) -> None:
    page.locator(f"#id_{field}-ts-control").focus()
    page.keyboard.type(typed)
    page.locator(f"#id_{field}-ts-dropdown .option", has_text=option).first.click()


@SIZES
def test_a_link_is_added_with_both_institutions_picked(page: Any, size: dict[str, int]) -> None:
    centre, county = _world()
    page.set_viewport_size(size)
    sign_in(page, "root")
    page.goto("/manage/links/new/")
    expect(page.locator("h1")).to_contain_text("添加协作关系")
    expect_kit_buttons(page)
    assert horizontal_overflow_px(page) <= 0
    _pick(page, "provider", "金桥县人民", "金桥县人民医院")
    _pick(page, "client", "金桥县人民", "金桥县人民医院")
    page.locator("#id_service").select_option("referral")
    page.get_by_role("button", name="添加协作关系").click()
    expect(page.locator("#id_client_error")).to_contain_text("机构不能为自己提供服务")
    expect(page.locator(".xt-form-errors")).to_be_visible()
    assert not CollaborationLink.objects.exists()
    expect_kit_buttons(page)
    # The provider stays picked; the client is corrected.
    _pick(page, "client", "第2乡镇", "金桥县第2乡镇卫生院")
    page.get_by_role("button", name="添加协作关系").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "现在为 金桥县第2乡镇卫生院 提供双向转诊"
    )
    link = CollaborationLink.objects.get()
    assert (link.provider, link.service) == (county, "referral") and link.active
    expect(page.locator("#rows tbody tr")).to_have_count(1)
    expect_kit_buttons(page)
    assert horizontal_overflow_px(page) <= 0
    assert centre.pk != county.pk
