"""The opinion editor: drafts, signing with the password, freezing, corrections, the PDF."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from pypdf import PdfReader

from xietong.accounts.models import User
from xietong.accounts.tests.factories import PASSWORD
from xietong.consultations.models import Opinion
from xietong.consultations.tests.world import World
from xietong.core.actor import Actor
from xietong.core.models import AuditEvent

pytestmark = pytest.mark.django_db

CONTENT = {
    "diagnosis": "急性非ST段抬高型心肌梗死",
    "recommendations": "尽早行冠状动脉造影",
    "referral_advised": "on",
    "referral_to": "心血管内科",
    "follow_up": "两周后复查心电图",
}


def content(world: World) -> dict[str, str]:
    """The opinion as the editor sends it, referring to the world's provincial hospital."""
    return {**CONTENT, "referral_to_institution": str(world.hospital.uuid)}


def sign_in(client: Client, actor: Actor) -> Client:
    client.force_login(User.objects.get(pk=actor.user_id))
    client.cookies["django_language"] = "zh-hans"
    return client


def text(response: Any) -> str:
    return str(response.content.decode())


def editor(c: Any) -> str:
    return f"/consultations/{c.uuid}/opinion/"


def test_expert_saves_a_draft_and_sees_it_again(client: Client, world: World) -> None:
    c = world.to("in_progress")
    sign_in(client, world.expert_actor)
    assert "保存并签署" in text(client.get(editor(c)))
    response = client.post(editor(c), content(world))
    assert response.status_code == 302
    again = text(client.get(response["Location"]))
    assert "草稿已保存" in again and "尽早行冠状动脉造影" in again
    opinion = Opinion.objects.get(consultation=c)
    assert opinion.referral_advised and not opinion.is_signed


def test_wrong_password_signs_nothing_and_keeps_the_old_draft(client: Client, world: World) -> None:
    c = world.to("in_progress")
    sign_in(client, world.expert_actor)
    client.post(editor(c), {**content(world), "recommendations": "旧建议"})
    response = client.post(
        f"/consultations/{c.uuid}/opinion/sign", {**content(world), "password": "wrong-password"}
    )
    assert response.status_code == 422
    assert "请重新输入密码" in text(response) or "密码" in text(response)
    opinion = Opinion.objects.get(consultation=c)
    assert not opinion.is_signed and opinion.recommendations == "旧建议"
    c.refresh_from_db()
    assert c.status == "in_progress"


def test_missing_parts_are_listed_on_the_form(client: Client, world: World) -> None:
    c = world.to("in_progress")
    sign_in(client, world.expert_actor)
    response = client.post(
        f"/consultations/{c.uuid}/opinion/sign",
        {"referral_advised": "on", "password": PASSWORD},
    )
    assert response.status_code == 422
    page = text(response)
    # Each missing part beside its field, and all of them summarised above the form.
    assert page.count('class="errorlist invalid-feedback') >= 3
    assert "data-form-errors" in page
    assert not Opinion.objects.filter(consultation=c, signed_at__isnull=False).exists()


def _sign(client: Client, world: World, c: Any) -> None:
    response = client.post(
        f"/consultations/{c.uuid}/opinion/sign", {**content(world), "password": PASSWORD}
    )
    assert response.status_code == 302, text(response)


def test_signed_opinion_is_frozen_with_its_hash_and_a_pdf(client: Client, world: World) -> None:
    c = world.to("in_progress")
    sign_in(client, world.expert_actor)
    _sign(client, world, c)
    opinion = Opinion.objects.get(consultation=c)
    c.refresh_from_db()
    assert c.status == "opinion_signed" and opinion.content_hash
    page = text(client.get(f"/consultations/{c.uuid}/", follow=True))
    assert opinion.content_hash in page and "急性非ST段抬高型心肌梗死" in page
    # The editor no longer offers a draft: only a correction.
    assert "更正已签署的意见" in text(client.get(editor(c)))
    # Saving over a signed opinion is refused and changes nothing.
    client.post(editor(c), {**content(world), "diagnosis": "改动"})
    assert Opinion.objects.get(consultation=c).diagnosis == CONTENT["diagnosis"]


def test_the_requester_downloads_the_pdf_and_reads_it(client: Client, world: World) -> None:
    c = world.to("in_progress")
    _sign(sign_in(client, world.expert_actor), world, c)
    sign_in(client, world.requester)
    response = client.get(f"/consultations/{c.uuid}/opinion/v1.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    extracted = "".join(page.extract_text() for page in pdf.pages)
    assert c.number in extracted
    flat = extracted.replace(" ", "").replace("\n", "")
    assert "冠状动脉造影" in flat and f"{world.hospital.name}·心血管内科" in flat
    audit = AuditEvent.objects.filter(resource_type="ConsultationOpinion").last()
    assert audit is not None and audit.user_id == world.requester.user_id
    # A version that does not exist, and a stranger, both meet 404.
    assert client.get(f"/consultations/{c.uuid}/opinion/v2.pdf").status_code == 404


def test_correction_makes_a_new_version_and_the_old_stays_readable(
    client: Client, world: World
) -> None:
    c = world.to("in_progress")
    sign_in(client, world.expert_actor)
    _sign(client, world, c)
    url = f"/consultations/{c.uuid}/opinion/correct"
    refused = client.post(url, {**content(world), "password": PASSWORD})
    assert refused.status_code == 422 and "更正原因" in text(refused)
    assert Opinion.objects.filter(consultation=c).count() == 1
    response = client.post(
        url, {**content(world), "recommendations": "改为药物保守治疗", "reason": "补充造影禁忌",
              "password": PASSWORD},
    )  # fmt: skip
    assert response.status_code == 302
    v1, v2 = Opinion.objects.filter(consultation=c).order_by("version")
    assert v2.supersedes_id == v1.pk and v2.correction_reason == "补充造影禁忌"
    page = text(client.get(f"/consultations/{c.uuid}/"))
    assert "改为药物保守治疗" in page and "尽早行冠状动脉造影" in page and "历史版本" in page
    assert v1.content_hash in page and v2.content_hash in page


def test_only_an_accepted_expert_opens_the_editor(client: Client, world: World) -> None:
    c = world.to("in_progress")
    sign_in(client, world.requester)
    response = client.get(editor(c), follow=True)
    assert "只有已接诊的专家可以书写会诊意见" in text(response)
    assert not Opinion.objects.exists()


def test_an_expert_with_an_authenticator_signs_with_a_code(client: Client, world: World) -> None:
    from django_otp import DEVICE_ID_SESSION_KEY

    from xietong.accounts.tests.factories import make_totp_device, totp_code, wrong_code

    c = world.to("in_progress")
    user = User.objects.get(pk=world.expert_actor.user_id)
    device = make_totp_device(user)
    sign_in(client, world.expert_actor)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    url = f"/consultations/{c.uuid}/opinion/sign"
    refused = client.post(url, {**content(world), "code": wrong_code(device)})
    assert refused.status_code == 422
    assert not Opinion.objects.filter(signed_at__isnull=False).exists()
    # A wrong code makes the device wait before the next try; the user would wait too.
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    assert client.post(url, {**content(world), "code": totp_code(device)}).status_code == 302
    assert Opinion.objects.get(consultation=c).is_signed


def test_strangers_and_declined_experts_get_no_pdf_or_workspace(
    client: Client, world: World
) -> None:
    from typing import cast

    from xietong.consultations import services as s
    from xietong.consultations.tests.world import member
    from xietong.directory.models import Institution
    from xietong.directory.tests.factories import InstitutionFactory

    signed = world.to("opinion_signed")
    stranger = member(cast(Institution, InstitutionFactory()), "requester", "expert")
    sign_in(client, stranger)
    assert client.get(f"/consultations/{signed.uuid}/opinion/v1.pdf").status_code == 404
    assert client.get(f"/consultations/{signed.uuid}/").status_code == 404

    other, other_actor = world.more_expert()
    c = world.to("triage")
    c = s.consultation_triage_assign(actor=world.coordinator, consultation=c, experts=[other])
    sign_in(client, other_actor)
    assert client.get(f"/consultations/{c.uuid}/").status_code == 200
    s.consultation_expert_decline(actor=other_actor, consultation=c, reason="出差")
    assert client.get(f"/consultations/{c.uuid}/").status_code == 404


def _field(page: str, name: str) -> str:
    """A field of the editor as shown: its label, widget, help and errors."""
    return page.split(f'name="{name}"')[1].split('class="xt-field')[0]


def test_the_editor_picks_the_institution_to_refer_to(client: Client, world: World) -> None:
    c = world.to("in_progress")
    sign_in(client, world.expert_actor)
    page = text(client.get(editor(c)))
    picker = page.split('name="referral_to_institution"')[1].split("</select>")[0]
    assert 'data-search-url="/directory/options/institutions/"' in picker.split(">")[0]
    assert "科室或说明" in page
    assert client.post(editor(c), content(world)).status_code == 302
    opinion = Opinion.objects.get(consultation=c)
    assert opinion.referral_to_institution == world.hospital
    # The draft opens again on the institution chosen, named as the picker names it.
    picker = text(client.get(editor(c))).split('name="referral_to_institution"')[1]
    chosen = f"{world.hospital.name} · 省级 · {world.hospital.region.name}"
    assert f'<option value="{world.hospital.uuid}" selected>{chosen}</option>' in picker
    # Signed, the opinion reads the institution and the department beside it.
    client.post(f"/consultations/{c.uuid}/opinion/sign", {**content(world), "password": PASSWORD})
    frozen = text(client.get(f"/consultations/{c.uuid}/"))
    assert f"建议转诊至：{world.hospital.name} · 心血管内科" in frozen


def test_a_referral_without_an_institution_is_refused_beside_the_field(
    client: Client, world: World
) -> None:
    c = world.to("in_progress")
    sign_in(client, world.expert_actor)
    sent = {**CONTENT, "referral_to": "省人民医院心血管内科", "password": PASSWORD}
    response = client.post(f"/consultations/{c.uuid}/opinion/sign", sent)
    assert response.status_code == 422
    page = text(response)
    assert "请选择建议患者转往的机构。" in _field(page, "referral_to_institution")
    assert "data-form-errors" in page
    # What was typed is still on the form; nothing was saved or signed.
    assert "省人民医院心血管内科" in _field(page, "referral_to")
    assert not Opinion.objects.filter(consultation=c).exists()
    c.refresh_from_db()
    assert c.status == "in_progress"


def test_an_unknown_institution_is_refused_beside_the_field(client: Client, world: World) -> None:
    c = world.to("in_progress")
    sign_in(client, world.expert_actor)
    sent = {**content(world), "referral_to_institution": "00000000-0000-0000-0000-000000000000"}
    response = client.post(editor(c), sent)
    assert response.status_code == 422
    assert "请从列表中选择机构。" in _field(text(response), "referral_to_institution")
    assert not Opinion.objects.filter(consultation=c).exists()


def test_the_editor_shows_the_case_and_its_records_beside_it(client: Client, world: World) -> None:
    from xietong.consultations.services import consultation_attach
    from xietong.patients.tests.factories import pdf_bytes, upload

    c = world.to("in_progress", history="高血压病史10年")
    consultation_attach(
        actor=world.requester, consultation=c, files=[upload(pdf_bytes(), "ecg.pdf")],
        files_kind="document", files_title="十二导联心电图",
    )  # fmt: skip
    sign_in(client, world.expert_actor)
    page = text(client.get(editor(c)))
    editor_column, case_column = page.split('<aside class="col-lg-5 ws-case"')
    assert 'class="col-lg-7 ws-editor"' in editor_column and 'name="diagnosis"' in editor_column
    case_column = case_column.split("</aside>")[0]
    for said in ("胸痛反复发作3天，诊断不明", "胸痛3天", "高血压病史10年", "不稳定型心绞痛"):
        assert said in case_column, said
    assert "十二导联心电图" in case_column
