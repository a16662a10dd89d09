"""The request form in the browser: the expert picker searches the whole library as the
doctor types (at a desk), and the form fits a phone, also when a submit is refused."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import horizontal_overflow_px, sign_in, unstyled_buttons
from xietong.accounts.models import User
from xietong.consultations.models import Consultation, Status
from xietong.consultations.tests.world import World, make_world
from xietong.directory.models import Expert
from xietong.directory.tests.factories import (
    ExpertFactory,
    InstitutionFactory,
    PractitionerFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1366, "height": 900}


def _doctor(world: World) -> str:
    return str(User.objects.get(pk=world.requester.user_id).username)


def _library_beyond_a_hundred(world: World) -> Expert:
    """105 chief physicians at a provincial hospital, ranked first, and one attending
    physician at a county hospital: the last of the library."""
    for n in range(105):
        ExpertFactory(
            practitioner=PractitionerFactory(
                name=f"专家{n:03d}",
                institution=world.hospital,
                department=world.department,
                title="chief",
            )
        )
    county = InstitutionFactory(level="county", name="乙县人民医院")
    return cast(
        Expert,
        ExpertFactory(
            practitioner=PractitionerFactory(
                name="欧阳明远", institution=county, department=world.department, title="attending"
            )
        ),
    )


def test_the_expert_picker_finds_an_expert_beyond_the_first_hundred(new_page: Any) -> None:
    world = make_world()
    last = _library_beyond_a_hundred(world)
    doctor = new_page()
    doctor.set_viewport_size(DESK)
    sign_in(doctor, _doctor(world))
    doctor.goto(f"/consultations/new/?patient={world.patient.uuid}")

    # The picker shows once the doctor prefers a named expert.
    picker = doctor.locator("[data-when-target=expert]")
    expect(picker).to_be_hidden()
    doctor.get_by_label("指定专家").check()
    expect(picker).to_be_visible()
    doctor.locator("textarea[name=reason]").fill("癫痫发作控制不佳")

    # Part of the name is enough; the library is searched on the server, whole.
    doctor.locator("#id_preferred_expert-ts-control").press_sequentially("明远")
    option = doctor.locator(".ts-dropdown .option", has_text="欧阳明远")
    expect(option).to_contain_text("乙县人民医院")
    option.click()
    assert unstyled_buttons(doctor) == []
    doctor.get_by_role("button", name="保存草稿").click()
    expect(doctor.locator(".messages")).to_contain_text("草稿已保存")

    c = Consultation.objects.get()
    assert c.preferred_expert == last and c.status == Status.DRAFT
    # Back on the draft, the picker shows the expert chosen.
    expect(doctor.locator("[data-when-target=expert] .ts-control")).to_contain_text("欧阳明远")
    assert horizontal_overflow_px(doctor) <= 0


def test_the_request_form_fits_a_phone_also_when_a_submit_is_refused(new_page: Any) -> None:
    world = make_world()
    doctor = new_page()  # 375 px wide
    sign_in(doctor, _doctor(world))
    doctor.goto(f"/consultations/new/?patient={world.patient.uuid}")
    expect(doctor.locator("h1")).to_have_text("申请会诊")
    assert horizontal_overflow_px(doctor) <= 0
    assert unstyled_buttons(doctor) == []

    # Submitted with parts missing: the draft is saved, and the doctor is on its own page,
    # every missing part listed above the form and beside its field.
    doctor.get_by_role("button", name="提交", exact=True).click()
    c = Consultation.objects.get()
    expect(doctor).to_have_url(re.compile(rf"/consultations/{c.uuid}/edit/\?check=1$"))
    expect(doctor.locator(".messages")).to_contain_text("草稿已保存")
    expect(doctor.locator("[data-form-errors]")).to_be_visible()
    expect(doctor.locator("#id_reason")).to_have_attribute("aria-invalid", "true")
    assert horizontal_overflow_px(doctor) <= 0
    assert unstyled_buttons(doctor) == []


def test_the_diagnosis_is_picked_from_the_code_list_and_fills_its_words(
    new_page: Any, diagnosis_codes: None
) -> None:
    world = make_world()
    doctor = new_page()
    doctor.set_viewport_size(DESK)
    sign_in(doctor, _doctor(world))
    doctor.goto(f"/consultations/new/?patient={world.patient.uuid}")
    doctor.locator("textarea[name=reason]").fill("胸痛待查")

    # The code as typed, without its dot, and a word of the English title the option does
    # not show: the server matches both, and the picker offers what it found, in its order.
    control = doctor.locator("#id_diagnosis_code-ts-control")
    control.press_sequentially("i214")
    options = doctor.locator(".ts-dropdown .option")
    expect(options).to_have_text(["I21.4 急性心内膜下心肌梗死"])
    control.fill("")
    control.press_sequentially("subendocardial")
    expect(options).to_have_text(["I21.4 急性心内膜下心肌梗死"])
    control.fill("")
    control.press_sequentially("心肌梗死")
    expect(options.first).to_have_text("I21 急性心肌梗死")
    expect(options.nth(1)).to_have_text("I21.0 前壁急性透壁性心肌梗死")

    # Choosing a code writes the diagnosis in words.
    doctor.locator(".ts-dropdown .option", has_text="I21.4").click()
    expect(doctor.locator("#id_diagnosis_text")).to_have_value("急性心内膜下心肌梗死")

    # What the doctor wrote is never replaced by a later choice.
    doctor.locator("#id_diagnosis_text").fill("急性非ST段抬高型心肌梗死")
    doctor.locator("#id_diagnosis_code + .ts-wrapper .ts-control").click()
    control.press_sequentially("I21.9")
    doctor.locator(".ts-dropdown .option", has_text="I21.9").click()
    expect(doctor.locator("#id_diagnosis_text")).to_have_value("急性非ST段抬高型心肌梗死")

    doctor.get_by_role("button", name="保存草稿").click()
    expect(doctor.locator(".messages")).to_contain_text("草稿已保存")
    c = Consultation.objects.get()
    assert (c.diagnosis_code, c.diagnosis_text) == ("I21.9", "急性非ST段抬高型心肌梗死")
    # Back on the draft, the picker names the code as the list does.
    expect(doctor.locator(".xt-field:has(#id_diagnosis_code) .ts-control")).to_contain_text(
        "I21.9 急性心肌梗死，未特指"
    )
