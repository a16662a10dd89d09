"""SMS text as a Chinese reader and carrier expect it: the signature first, no gaps beside
Chinese characters."""

from __future__ import annotations

from typing import Any

import pytest

from xietong.notifications.services import sms_queue
from xietong.notifications.sms_text import sms_text


def test_signature_comes_first_and_spaces_beside_chinese_go() -> None:
    text = "转诊单 ZZ20260001：请于 12月5日 15:00 携带身份证和转诊单到 郑州市协同中心医院 就诊。"
    assert sms_text(text, limit=300) == (
        "【协同医疗】转诊单ZZ20260001：请于12月5日15:00携带身份证和转诊单到郑州市协同中心医院就诊。"
    )


def test_spaces_between_latin_words_stay_and_the_limit_counts_the_signature() -> None:
    assert sms_text("Referral ZZ1 was cancelled.", limit=300) == (
        "【协同医疗】Referral ZZ1 was cancelled."
    )
    assert len(sms_text("很" * 400, limit=70)) == 70


def test_the_signature_is_the_configured_one_and_never_twice(settings: Any) -> None:
    settings.XT_SMS_SIGNATURE = "豫协同"
    assert sms_text("【豫协同】您的复诊在明天。", limit=300) == "【豫协同】您的复诊在明天。"
    assert sms_text("您的复诊在明天。", limit=300) == "【豫协同】您的复诊在明天。"


@pytest.mark.django_db
def test_a_patients_sms_is_queued_in_that_form() -> None:
    message = sms_queue(phone="13812345678", subject="ZZ1", text="转诊单 ZZ1 已取消。")
    assert message.body == "【协同医疗】转诊单ZZ1已取消。"
