"""A two-way referral on four phones: the county doctor refers a patient up into a booked
slot, the provincial hospital's desk accepts and checks the patient in by the referral
number, the hospital's doctor writes the treatment summary and refers the patient back down
with a plan; the county accepts it and records a follow-up visit. The originating doctor
sees each step on the referral's page."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.timezone import localtime
from playwright.sync_api import expect

from tests.browser.helpers import horizontal_overflow_px, pick, sign_in
from xietong.accounts.models import User
from xietong.core.actor import Actor
from xietong.referrals.models import Referral
from xietong.referrals.tests.world import REQUEST, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _username(actor: Actor) -> str:
    return str(User.objects.get(pk=actor.user_id).username)


def _sees(doctor: Any, url: str, status: str) -> None:
    """The originating doctor opens the referral and sees where the patient is."""
    doctor.goto(url)
    expect(doctor.locator("#status")).to_have_text(status)
    assert horizontal_overflow_px(doctor) <= 0, doctor.url


def test_referral_up_and_back_down_on_four_phones(new_page: Any, diagnosis_codes: None) -> None:
    world = make_world()
    slot = world.slot(capacity=2)
    doctor, desk, specialist = new_page(), new_page(), new_page()
    sign_in(doctor, _username(world.sender))
    sign_in(desk, _username(world.desk))
    sign_in(specialist, _username(world.doctor))

    # Up: from the patient's page, into a slot of the week calendar offered for the chosen
    # hospital (each slot a button showing its time on the Beijing clock).
    doctor.goto(f"/patients/{world.patient.uuid}/")
    doctor.locator("section#referrals").get_by_role("link", name="发起转诊").click()
    # The receiving hospital is searched among the partners, by a part of its name.
    pick(doctor, "receiving_institution", "省人民", f"{world.hospital.name} · 省级")
    expect(doctor.locator("select[name=receiving_institution]")).to_have_value(
        str(world.hospital.pk)
    )
    slot_button = doctor.locator(f"label[for='slots-{slot.uuid}']")
    expect(slot_button).to_contain_text(localtime(slot.start).strftime("%H:%M"))
    slot_button.click()
    expect(doctor.locator(f"input[name=slot][value='{slot.uuid}']")).to_be_checked()
    pick(doctor, "diagnosis_code", "不稳定", f"{REQUEST['diagnosis_code']} 不稳定型心绞痛")
    doctor.locator("input[name=diagnosis_text]").fill(REQUEST["diagnosis_text"])
    doctor.locator("textarea[name=reason]").fill(REQUEST["reason"])
    doctor.locator("textarea[name=clinical_summary]").fill(REQUEST["clinical_summary"])
    assert horizontal_overflow_px(doctor) <= 0
    doctor.get_by_role("button", name="提交转诊").click()
    expect(doctor.locator(".messages")).to_contain_text("已提交")
    r = Referral.objects.get()
    url = f"/referrals/{r.uuid}/"
    expect(doctor.locator("#status")).to_have_text("待接收方处理")

    # The desk accepts, then checks the patient in by the number on the slip.
    desk.goto("/referrals/incoming/")
    desk.get_by_role("link", name=r.number).click()
    desk.locator("#actions").get_by_role("button", name="接收", exact=True).click()
    expect(desk.locator("#status")).to_have_text("已接收，待患者到院")
    _sees(doctor, url, "已接收，待患者到院")
    # The slot is two days ahead: the desk is told so before anything is recorded, and
    # checks the patient in all the same.
    desk.goto("/referrals/arrivals/")
    desk.locator("input[name=payload]").fill(r.number)
    desk.get_by_role("button", name="签到", exact=True).click()
    expect(desk.locator("#early-check-in")).to_contain_text("不是今天")
    desk.locator("#early-check-in").get_by_role("button", name="提前签到").click()
    expect(desk.locator(".messages")).to_contain_text("已签到（早于预约日期）")
    _sees(doctor, url, "已到院")

    # The hospital's doctor: treatment summary, then down to the county with a plan.
    specialist.goto(url)
    specialist.locator("input[name=discharge_diagnosis]").fill("急性冠脉综合征")
    specialist.locator("textarea[name=summary]").fill("冠脉支架植入术后，恢复良好")
    specialist.get_by_role("button", name="填写诊疗小结").click()
    expect(specialist.locator("#status")).to_have_text("诊疗结束")
    _sees(doctor, url, "诊疗结束")
    expect(doctor.locator("#treatment-summary")).to_contain_text("冠脉支架植入术后")
    specialist.locator("select[name=down_institution]").select_option(str(world.county.pk))
    specialist.locator("textarea[name=instructions]").fill("低盐低脂饮食，逐步恢复活动")
    specialist.locator("textarea[name=medications]").fill("阿司匹林肠溶片, 100 mg, 每日一次")
    specialist.locator("input[name=follow_up_dates]").fill(
        __import__("django.utils.timezone", fromlist=["x"]).localdate().isoformat()
    )
    specialist.get_by_role("button", name="下转").click()
    expect(specialist.locator("#status")).to_have_text("已下转")

    # The county accepts the down-referral and records the follow-up visit.
    _sees(doctor, url, "已下转")
    doctor.locator("#actions").get_by_role("button", name="接收下转").click()
    expect(doctor.locator("#status")).to_have_text("康复随访中")
    doctor.locator("#follow-ups input[name=note]").first.fill("血压平稳，无不适")
    doctor.locator("#follow-ups").get_by_role("button", name="记录随访").first.click()
    expect(doctor.locator("#follow-ups")).to_contain_text("血压平稳，无不适")
    expect(doctor.locator("#timeline")).to_contain_text("记录随访")
    assert horizontal_overflow_px(doctor) <= 0
