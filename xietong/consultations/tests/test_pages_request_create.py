"""New request from the patient's page: the button, saving a draft, submitting, uploads and
existing documents attached, and the refusals."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xietong.consultations.models import Consultation, Status
from xietong.patients.tests.factories import make_patient, pdf_bytes, png_bytes, upload
from xietong.records.models import ClinicalDocument
from xietong.records.services import document_upload

from .pages_request import sign_in, text
from .world import World, make_world, member

pytestmark = pytest.mark.django_db

FILLED = {
    "kind": "general",
    "mode": "async",
    "urgency": "urgent",
    "reason": "胸痛反复发作3天",
    "purpose": "明确诊断",
    "wanted_department": "03.01",
    "wanted_title": "chief",
    "preferred_target": "centre",
    "preferred_times": "明天上午\n后天下午",
    "chief_complaint": "胸痛3天",
    "present_illness": "胸骨后压榨性疼痛",
    "diagnosis_code": "i20.0",
    "diagnosis_text": "不稳定型心绞痛",
}


def _url(world: World) -> str:
    return reverse("consultations:create") + f"?patient={world.patient.uuid}"


def test_patient_page_offers_the_request_button(client: Client, world: World) -> None:
    sign_in(client, world.requester)
    page = text(client.get(reverse("patients:detail", args=[world.patient.uuid])))
    assert "Request a consultation" in page
    assert _url(world) in page


def test_the_centre_sees_no_request_button(client: Client, world: World) -> None:
    sign_in(client, world.qc)
    world.patient  # noqa: B018 (the centre does not see a county patient at all)
    response = client.get(_url(world))
    assert response.status_code == 403


def test_form_shows_every_part(client: Client, world: World) -> None:
    sign_in(client, world.requester)
    page = text(client.get(_url(world)))
    for name in (
        "kind",
        "mode",
        "urgency",
        "reason",
        "purpose",
        "wanted_department",
        "wanted_title",
        "preferred_target",
        "preferred_expert",
        "preferred_department",
        "preferred_times",
        "chief_complaint",
        "present_illness",
        "history",
        "examination",
        "diagnosis_code",
        "diagnosis_text",
        "current_treatment",
    ):
        assert f'name="{name}"' in page, name
    assert 'accept="application/pdf,image/jpeg,image/png"' in page
    assert 'capture="environment"' in page
    assert world.patient.name in page


def test_save_draft_without_consent(client: Client) -> None:
    world = make_world(consent=False)
    sign_in(client, world.requester)
    response = client.post(
        _url(world),
        {
            "kind": "general",
            "mode": "async",
            "urgency": "routine",
            "preferred_target": "centre",
            "reason": "先存草稿",
            "action": "save",
        },
        follow=True,
    )
    c = Consultation.objects.get()
    assert c.status == Status.DRAFT and c.reason == "先存草稿"
    assert response.redirect_chain[-1][0] == reverse("consultations:edit", args=[c.uuid])
    assert "Draft saved." in text(response)


def test_submit_complete_request(client: Client, world: World) -> None:
    sign_in(client, world.requester)
    response = client.post(_url(world), {**FILLED, "action": "submit"}, follow=True)
    c = Consultation.objects.get()
    assert c.status == Status.SUBMITTED
    assert c.diagnosis_code == "I20.0"
    assert c.preferred_times == ["明天上午", "后天下午"]
    assert "Request submitted" in text(response)


def test_submit_without_consent_lists_every_missing_part(client: Client) -> None:
    world = make_world(consent=False)
    sign_in(client, world.requester)
    response = client.post(
        _url(world),
        {
            "kind": "general",
            "mode": "realtime",
            "urgency": "routine",
            "preferred_target": "expert",
            "action": "submit",
        },
        follow=True,
    )
    c = Consultation.objects.get()
    assert c.status == Status.DRAFT  # the draft is kept
    # The doctor lands on the saved draft's own page, not on a second new request.
    edit = reverse("consultations:edit", args=[c.uuid])
    assert response.redirect_chain == [(f"{edit}?check=1", 302)]
    page = text(response)
    assert "cannot be submitted yet" in page
    assert "parts are missing" in page
    # Each missing part beside its field (and summarised above the form).
    assert page.count("<li>This is required before submitting.</li>") == 7
    assert "written consent to telemedicine must be on file" in page
    assert "needs the preferred times" in page
    assert "Choose the expert you prefer" in page
    assert f'action="{edit}"' in page


def test_a_refused_submit_of_the_saved_draft_stays_on_its_page(client: Client) -> None:
    world = make_world(consent=False)
    c = world.draft()
    sign_in(client, world.requester)
    edit = reverse("consultations:edit", args=[c.uuid])
    response = client.post(
        edit,
        {**FILLED, "wanted_department": world.department.code, "action": "submit"},
        follow=True,
    )
    assert response.redirect_chain == [(f"{edit}?check=1", 302)]
    assert "written consent to telemedicine must be on file" in text(response)
    c.refresh_from_db()
    assert c.status == Status.DRAFT and c.urgency == "urgent"  # what was sent is saved


def test_bad_icd10_code_is_shown_and_nothing_saved(client: Client, world: World) -> None:
    sign_in(client, world.requester)
    response = client.post(_url(world), {**FILLED, "diagnosis_code": "胸痛", "action": "save"})
    assert response.status_code == 422
    assert "Enter an ICD-10 code" in text(response)
    assert not Consultation.objects.exists()


def test_upload_and_pick_existing_records(client: Client, world: World) -> None:
    old = document_upload(
        actor=world.requester,
        patient=world.patient,
        kind="lab_report",
        title="血常规",
        file=upload(pdf_bytes()),
    )
    sign_in(client, world.requester)
    page = text(client.get(_url(world)))
    assert "血常规" in page
    data = {
        **FILLED,
        "action": "save",
        "files_kind": "paper_photo",
        "files_title": "门诊病历",
        "upload": [upload(png_bytes(), "p1.png", "image/png"), upload(pdf_bytes(), "p2.pdf")],
        "existing": [str(old.uuid)],
    }
    client.post(_url(world), data, follow=True)
    c = Consultation.objects.get()
    attached = ClinicalDocument.objects.filter(source=c.source)
    assert sorted(d.title for d in attached) == ["血常规", "门诊病历 (1/2)", "门诊病历 (2/2)"]
    old.refresh_from_db()
    assert old.source == ""  # the original stays where it was filed
    page = text(client.get(reverse("consultations:edit", args=[c.uuid])))
    assert "门诊病历 (1/2)" in page


def test_a_bad_file_saves_nothing(client: Client, world: World) -> None:
    sign_in(client, world.requester)
    data = {**FILLED, "action": "save", "upload": [upload(b"not a pdf at all", "x.pdf")]}
    response = client.post(_url(world), data)
    assert response.status_code == 422
    assert "x.pdf" in text(response)
    assert not Consultation.objects.exists()
    assert not ClinicalDocument.objects.exists()


def test_patient_of_another_institution_is_not_found(client: Client, world: World) -> None:
    stranger = make_patient(world.hospital)
    sign_in(client, world.requester)
    url = reverse("consultations:create") + f"?patient={stranger.uuid}"
    assert client.get(url).status_code == 404
    assert client.post(url, {**FILLED, "action": "save"}).status_code == 404
    assert not Consultation.objects.exists()


def test_chinese_page(client: Client, world: World) -> None:
    sign_in(client, world.requester, language="zh-hans")
    page = text(client.get(_url(world)))
    assert "申请会诊" in page and "保存草稿" in page
    # The clinical words as doctors say them, not another app's (用途, 历史) of the same
    # English word.
    for term in ("会诊目的", "既往史", "检查项目"):
        assert f">{term}<" in page


def test_colleague_sees_but_other_roles_cannot_request(client: Client, world: World) -> None:
    expert_only = member(world.county, "expert")
    sign_in(client, expert_only)
    assert client.get(_url(world)).status_code == 403


def test_departments_are_offered_by_name(client: Client, world: World) -> None:
    # The standard code is the value the form sends; the doctor reads the name.
    sign_in(client, world.requester, language="zh-hans")
    page = text(client.get(_url(world)))
    d = world.department
    assert f'<option value="{d.code}">{d.label}</option>' in page
    assert f"{d.code} {d.label}" not in page


def test_the_expert_picker_searches_the_whole_library(client: Client, world: World) -> None:
    # The select carries no list of experts: the library is searched as the doctor types.
    sign_in(client, world.requester)
    page = text(client.get(_url(world)))
    picker = page[page.index('<select name="preferred_expert"') :]
    picker = picker[: picker.index("</select>")]
    assert "data-search " in picker
    assert 'data-search-url="/directory/options/experts/?service=consultation"' in picker
    assert picker.count("<option") == 1
    # An expert found there is saved, and the page shows them as the one chosen option.
    chosen, _actor = world.more_expert()
    key = str(chosen.practitioner.uuid)
    data = {**FILLED, "preferred_target": "expert", "preferred_expert": key, "action": "save"}
    client.post(_url(world), data)
    c = Consultation.objects.get()
    assert c.preferred_expert == chosen
    page = text(client.get(reverse("consultations:edit", args=[c.uuid])))
    picker = page[page.index('<select name="preferred_expert"') :]
    picker = picker[: picker.index("</select>")]
    assert picker.count("<option") == 2
    assert f'<option value="{key}" selected>{chosen.practitioner.name} · ' in picker
