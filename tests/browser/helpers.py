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


# Buttons that are the kit's own components with a style of their own (the drawer's close,
# a menu's items, tabs, pages of a list, the pickers' controls) are not `.btn`s.
_KIT_BUTTONS = ".btn-close, .dropdown-item, .nav-link, .page-link, .accordion-button"
_KIT_WIDGETS = ".ts-wrapper, .ts-dropdown, .flatpickr-calendar"


def unstyled_buttons(page: Any) -> list[str]:
    """The visible buttons of the page that lack the kit's button style (what each says):
    not a `.btn` (the rule that defines --bs-btn-padding-x; a native button has none), or a
    `.btn` without one of the kit's variants (btn-primary, btn-outline-secondary, btn-link…),
    which shows as bare text."""
    found: list[str] = page.evaluate(
        """([kitButtons, kitWidgets]) => [...document.querySelectorAll(
             'button, input[type=submit], input[type=button], input[type=reset],'
             + ' a[role=button], a.btn')]
           .filter((b) => b.offsetParent !== null)
           .filter((b) => !b.matches(kitButtons) && !b.closest(kitWidgets))
           .filter((b) => !getComputedStyle(b).getPropertyValue('--bs-btn-padding-x').trim()
             || ![...b.classList].some((c) => /^btn-(outline-)?[a-z]+$/.test(c)
                                              && !/^btn-(sm|lg|check|group|close)$/.test(c)))
           .map((b) => (b.innerText || b.value || b.getAttribute('aria-label') || b.outerHTML)
                        .trim().slice(0, 60))""",
        [_KIT_BUTTONS, _KIT_WIDGETS],
    )
    return found


def expect_kit_buttons(page: Any) -> None:
    """Fails, naming them, when a visible button of the page is not styled by the kit."""
    missing = unstyled_buttons(page)
    assert not missing, f"{page.url}: buttons without the kit's style: {missing}"


def pick(page: Any, name: str, typed: str, option: str) -> None:
    """Chooses in the searchable select `name` (Tom Select, core/xietong.js): types `typed`
    and clicks the offered option that holds `option`. Tom Select refreshes its list 300 ms
    after the last key, focusing itself again: the click waits for that, or a picker used
    next would lose the focus to this one."""
    control = page.locator(f"#id_{name}-ts-control")
    page.locator(f"#id_{name} + .ts-wrapper .ts-control").click()
    expect(control).to_be_focused()
    control.press_sequentially(typed)
    page.wait_for_function(
        "(id) => !document.getElementById(id).tomselect.refreshTimeout", arg=f"id_{name}"
    )
    page.locator(".ts-dropdown .option", has_text=option).first.click()
    expect(page.locator(f"select[name={name}] option:checked")).to_contain_text(option)
