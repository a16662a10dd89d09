"""The request side on phones: a county doctor asks for a consultation with a photographed
record, the centre's QC returns it, the doctor amends and resubmits, QC passes, the
coordinator assigns an expert and the expert accepts; no page scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import horizontal_overflow_px, pick, sign_in
from xietong.accounts.models import User
from xietong.consultations.models import Consultation, Status
from xietong.consultations.tests.world import make_world
from xietong.core.actor import Actor
from xietong.patients.tests.factories import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _username(actor: Actor) -> str:
    return str(User.objects.get(pk=actor.user_id).username)


def _no_sideways(page: Any) -> None:
    assert horizontal_overflow_px(page) <= 0, page.url


def test_request_qc_triage_accept_on_phones(new_page: Any, diagnosis_codes: None) -> None:
    world = make_world()
    doctor, qc, coordinator, expert = new_page(), new_page(), new_page(), new_page()
    sign_in(doctor, _username(world.requester))

    doctor.goto(f"/patients/{world.patient.uuid}/")
    doctor.locator("section#consultations").get_by_role("link", name="申请会诊").click()
    expect(doctor.locator("h1")).to_have_text("申请会诊")
    _no_sideways(doctor)
    doctor.locator("select[name=urgency]").select_option("urgent")
    doctor.locator("textarea[name=reason]").fill("胸痛反复发作3天，诊断不明")
    doctor.locator("textarea[name=purpose]").fill("明确诊断")
    doctor.locator("select[name=wanted_department]").select_option(world.department.code)
    doctor.locator("select[name=wanted_title]").select_option("chief")
    doctor.locator("textarea[name=preferred_times]").fill("明天上午")
    doctor.locator("textarea[name=chief_complaint]").fill("胸痛3天")
    doctor.locator("textarea[name=present_illness]").fill("胸骨后压榨性疼痛")
    pick(doctor, "diagnosis_code", "I20.0", "I20.0 不稳定型心绞痛")
    doctor.locator("input[name=diagnosis_text]").fill("不稳定型心绞痛")
    doctor.locator("input[name=upload]").set_input_files(
        {"name": "IMG_1.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
    )
    doctor.locator("input[name=files_title]").fill("门诊病历")
    doctor.get_by_role("button", name="提交", exact=True).click()
    expect(doctor.locator(".messages")).to_contain_text("申请已提交至中心质控")
    c = Consultation.objects.get()
    expect(doctor.locator("#rows")).to_contain_text(c.number)
    _no_sideways(doctor)

    sign_in(qc, _username(world.qc))
    qc.goto("/consultations/inbox/")
    qc.locator("#rows").get_by_role("link", name="质控", exact=True).click()
    expect(qc.locator("main")).to_contain_text("门诊病历")
    _no_sideways(qc)
    qc.locator("textarea[name=comment]").fill("请补充心电图")
    qc.get_by_role("button", name="退回补充资料").click()
    expect(qc.locator(".messages")).to_contain_text("已退回申请方")

    doctor.goto("/consultations/mine/")
    doctor.locator("#rows").get_by_role("link", name="修改并重新提交").click()
    expect(doctor.locator(".alert-warning")).to_contain_text("请补充心电图")
    doctor.locator("textarea[name=examination]").fill("心电图：V1-V4 ST 段压低")
    doctor.get_by_role("button", name="重新提交").click()
    expect(doctor.locator(".messages")).to_contain_text("申请已重新提交")

    qc.goto(f"/consultations/{c.uuid}/qc/")
    qc.get_by_role("button", name="质控通过").click()
    expect(qc.locator(".messages")).to_contain_text("质控通过：")

    sign_in(coordinator, _username(world.coordinator))
    coordinator.goto("/consultations/inbox/")
    coordinator.locator("#rows").get_by_role("link", name="分诊", exact=True).click()
    coordinator.get_by_label(world.expert.practitioner.name).check()
    _no_sideways(coordinator)
    coordinator.get_by_role("button", name="分配").click()
    expect(coordinator.locator(".messages")).to_contain_text("已分配")

    sign_in(expert, _username(world.expert_actor))
    expert.goto("/consultations/queue/")
    expert.locator("#rows").get_by_role("link", name="接诊或拒绝").click()
    expect(expert.locator("main")).to_contain_text("心电图：V1-V4 ST 段压低")
    _no_sideways(expert)
    expert.get_by_role("button", name="接诊", exact=True).click()
    expect(expert.locator(".messages")).to_contain_text(f"您已接诊 {c.number}")
    c.refresh_from_db()
    assert c.status == Status.ACCEPTED
