"""The administrator sees a push to a hospital that is not getting through: a warning on the
gateways page leads to the list with the gateway, the message, its attempts and the last
error, at a desk and on a phone."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.helpers import horizontal_overflow_px, sign_in
from xietong.administration.tests.conftest import staff_admin
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.exchange.models import OutgoingMessage, PushKind
from xietong.exchange.outgoing.delivery import outgoing_deliver
from xietong.exchange.outgoing.registry import PushContent
from xietong.exchange.outgoing.services import gateway_push_announce, outgoing_queue
from xietong.exchange.tests.factories import make_gateway
from xietong.patients.tests.factories import make_patient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _stuck() -> str:
    # The data are made directly: a signing would tell the centre's open boards through the
    # channel layer, which cannot be called from the browser's thread.
    county = cast(Institution, InstitutionFactory(level="county", name="甲县人民医院"))
    gateway, _ = make_gateway(county)
    gateway.name = "住院部前置机"
    gateway.save()
    gateway_push_announce(gateway=gateway, url="http://127.0.0.1:9/push", kinds=None)
    patient = make_patient(county)
    report = {"resourceType": "DiagnosticReport", "status": "final", "code": {"text": "会诊意见"}}
    outgoing_queue(
        PushContent(kind=PushKind.OPINION, patient_id=patient.pk, institution_ids=(county.pk,),
                    source_key="opinion:browser", subject="HZ-20261205-0001 v1",
                    resources=[report])
    )  # fmt: skip
    message = OutgoingMessage.objects.get()
    if message.attempts == 0:  # its delivery after the commit is refused: nothing listens
        outgoing_deliver(message_pk=message.pk)
    OutgoingMessage.objects.update(created_at=timezone.now() - dt.timedelta(hours=2))
    admin = staff_admin(county, "platform_admin")
    admin.username = "root"
    admin.save()
    return "HZ-20261205-0001 v1"


@pytest.mark.parametrize("width", [1366, 390])
def test_a_stuck_push_is_found_from_the_gateways_page(page: Any, width: int) -> None:
    subject = _stuck()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, "root")
    page.goto("/manage/gateways/")
    alert = page.locator("#stuck-pushes-alert")
    expect(alert).to_contain_text("1 条发往医院的推送未能送达")
    alert.get_by_role("link").click()
    expect(page.locator("h1")).to_contain_text("未送达医院的推送")
    row = page.locator("#stuck-pushes tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("住院部前置机")
    expect(row).to_contain_text(subject)
    expect(row).to_contain_text("已签署的会诊意见")
    expect(row).to_contain_text("no answer")
    assert horizontal_overflow_px(page) <= 0
