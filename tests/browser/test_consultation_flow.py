"""A remote consultation from request to completion, three people at three phones: the
county doctor asks (with a photographed record), the centre's coordinator checks, returns,
passes and triages, the expert accepts; they talk in the workspace's chat live, the expert
signs the opinion, the doctor downloads the PDF and reads it, rates it, and the centre's
board shows the consultation done."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.helpers import horizontal_overflow_px, pick, sign_in
from xietong.accounts.models import User
from xietong.accounts.tests.factories import PASSWORD
from xietong.consultations.models import Consultation, Opinion, Status
from xietong.consultations.tests.world import make_world, member
from xietong.core.actor import Actor
from xietong.directory.models import Institution
from xietong.patients.tests.factories import jpeg_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _username(actor: Actor) -> str:
    return str(User.objects.get(pk=actor.user_id).username)


def _no_sideways(page: Any) -> None:
    assert horizontal_overflow_px(page) <= 0, page.url


def _chat_ready(page: Any) -> None:
    page.wait_for_function("() => document.querySelector('section.thread').dataset.live === '1'")


def _request(doctor: Any, world: Any) -> Consultation:
    doctor.goto(f"/patients/{world.patient.uuid}/")
    doctor.locator("section#consultations").get_by_role("link", name="申请会诊").click()
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
    return Consultation.objects.get()


def test_consultation_from_request_to_completed_on_three_phones(
    new_page: Any, tmp_path: Path, diagnosis_codes: None
) -> None:
    world = make_world()
    centre_staff = member(cast(Institution, world.centre), "qc", "coordinator")
    doctor, centre, expert = new_page(), new_page(), new_page()
    sign_in(doctor, _username(world.requester))
    sign_in(centre, _username(centre_staff))
    sign_in(expert, _username(world.expert_actor))

    c = _request(doctor, world)
    workspace = f"/consultations/{c.uuid}/"

    # Quality check: returned for an ECG, amended, resubmitted, passed.
    centre.goto(workspace)
    expect(centre.locator("main")).to_contain_text("门诊病历")
    centre.locator(".ws-actions").get_by_role("link", name="质控").click()
    centre.locator("textarea[name=comment]").fill("请补充心电图")
    centre.get_by_role("button", name="退回补充资料").click()
    expect(centre.locator(".messages")).to_contain_text("已退回申请方")
    doctor.goto(workspace)
    expect(doctor.locator(".ws-timeline")).to_contain_text("请补充心电图")
    doctor.locator(".ws-actions").get_by_role("link", name="修改并重新提交").click()
    doctor.locator("textarea[name=examination]").fill("心电图：V1-V4 ST 段压低")
    doctor.get_by_role("button", name="重新提交").click()
    expect(doctor.locator(".messages")).to_contain_text("申请已重新提交")
    centre.goto(f"/consultations/{c.uuid}/qc/")
    centre.get_by_role("button", name="质控通过").click()
    expect(centre.locator(".messages")).to_contain_text("质控通过：")

    # Triage and the expert's acceptance.
    centre.goto(workspace)
    centre.locator(".ws-actions").get_by_role("link", name="分诊").click()
    centre.get_by_label(world.expert.practitioner.name).check()
    centre.get_by_role("button", name="分配").click()
    expect(centre.locator(".messages")).to_contain_text("已分配")
    expert.goto(workspace)
    expert.locator(".ws-actions").get_by_role("link", name="接诊或拒绝").click()
    expert.get_by_role("button", name="接诊", exact=True).click()
    expect(expert.locator(".messages")).to_contain_text(f"您已接诊 {c.number}")

    # The centre's wall screen, open from now on: the consultation is on it, waiting.
    centre.goto("/consultations/board/")
    row = centre.locator(".board-row", has_text=c.number)
    expect(row).to_contain_text(world.county.name)
    expect(row).to_contain_text(world.expert.practitioner.name)
    expect(centre.locator("[data-total=waiting]")).to_have_text("1")
    centre.wait_for_function("() => document.querySelector('.board').dataset.live === '1'")

    # The workspace: the record opens in the browser; the expert starts; the board follows.
    expert.goto(workspace)
    records = expert.locator("#ws-records ~ .records-documents")
    records.get_by_role("link", name="门诊病历").first.click()
    expect(expert.locator("main img").first).to_be_visible()
    expert.goto(workspace)
    expert.get_by_role("button", name="开始会诊").click()
    expect(expert.locator(".messages")).to_contain_text("会诊已开始")
    expect(row).to_contain_text("会诊中")  # pushed to the board, no reload
    _no_sideways(expert)

    # Chat: each side sees the other's message arrive live.
    doctor.goto(workspace)
    _chat_ready(doctor)
    _chat_ready(expert)
    expert.locator("textarea[name=body]").fill("请问患者肌钙蛋白结果？")
    expert.locator(".thread-form button[type=submit]").click()
    expect(doctor.locator(".thread-message", has_text="请问患者肌钙蛋白结果")).to_be_visible()
    doctor.locator("textarea[name=body]").fill("肌钙蛋白 I 0.8 ng/mL")
    doctor.locator(".thread-form button[type=submit]").click()
    expect(expert.locator(".thread-message", has_text="肌钙蛋白 I 0.8")).to_be_visible()
    _no_sideways(doctor)

    # The opinion: written, signed with the password, frozen with its hash.
    expert.locator(".ws-actions").get_by_role("link", name="撰写会诊意见").click()
    expert.locator("textarea[name=diagnosis]").fill("急性非ST段抬高型心肌梗死")
    expert.locator("textarea[name=recommendations]").fill("尽早行冠状动脉造影")
    expert.locator("input[name=referral_advised]").check()
    # Where to: an institution found by part of its name, and the department beside it.
    pick(expert, "referral_to_institution", "省人民", f"{world.hospital.name} · 省级")
    expert.locator("input[name=referral_to]").fill("心血管内科")
    expert.locator("textarea[name=follow_up]").fill("两周后复查心电图")
    _no_sideways(expert)
    expert.locator("input[name=password]").fill("not-my-password")
    expert.get_by_role("button", name="保存并签署").click()
    expect(expert.locator(".errorlist")).to_contain_text("请重新输入密码")
    expert.locator("input[name=password]").fill(PASSWORD)
    expert.get_by_role("button", name="保存并签署").click()
    expect(expert.locator(".messages")).to_contain_text("会诊意见已签署")
    opinion = Opinion.objects.get(consultation=c)
    expect(expert.locator(".ws-hash")).to_have_text(opinion.content_hash)

    # The doctor downloads the PDF and it says what was signed.
    doctor.goto(workspace)
    with doctor.expect_download() as download_info:
        doctor.get_by_role("link", name="下载 PDF").click()
    saved = tmp_path / "opinion.pdf"
    download_info.value.save_as(saved)
    text = "".join(p.extract_text() for p in PdfReader(saved).pages)
    flat = text.replace(" ", "").replace("\n", "")
    assert c.number in text
    assert "急性非ST段抬高型心肌梗死" in flat and "省人民医院·心血管内科" in flat

    # Rating closes it.
    doctor.locator("input[name=rating][value='5']").check()
    doctor.locator("textarea[name=comment]").fill("意见清晰，感谢")
    doctor.get_by_role("button", name="确认并完成会诊").click()
    expect(doctor.locator(".messages")).to_contain_text("会诊已完成")
    _no_sideways(doctor)
    c.refresh_from_db()
    assert (c.status, c.rating) == (Status.COMPLETED, 5)

    expect(row).to_contain_text("已完成")
    expect(centre.locator("[data-total=done]")).to_have_text("1")
    expect(centre.locator("[data-total=waiting]")).to_have_text("0")
    _no_sideways(centre)
