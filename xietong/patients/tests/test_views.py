from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.core.models import AuditEvent
from xietong.directory.models import Institution
from xietong.patients.models import CareRelationship, Consent, Patient
from xietong.patients.tests.factories import (
    an_institution,
    make_patient,
    pdf_bytes,
    resident_id_for,
    upload,
)

pytestmark = pytest.mark.django_db

WOMAN_1949 = "11010519491231002X"


def _signed_in(client: Client, *roles: str, institution: Institution | None = None) -> Membership:
    extra = {"institution": institution} if institution else {}
    membership = cast(Membership, MembershipFactory(roles=list(roles), **extra))
    client.force_login(membership.user)
    client.cookies["django_language"] = "en"
    return membership


def _text(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def doctor(client: Client) -> Membership:
    return _signed_in(client, "requester")


def test_search_page_offers_one_box_and_recent_patients(client: Client, doctor: Membership) -> None:
    make_patient(doctor.institution, name="张三", resident_id="11010519491231002X")
    page = _text(client.get(reverse("patients:search")))
    assert 'name="q"' in page and 'name="birth_date"' in page
    assert "Resident ID / name / phone" in page
    assert "hx-get" in page
    assert "张三" in page and "110105********002X" in page
    assert WOMAN_1949 not in page


def test_live_search_answers_with_the_results_only(client: Client, doctor: Membership) -> None:
    make_patient(doctor.institution, name="张三", resident_id=WOMAN_1949)
    make_patient(doctor.institution, name="李四")
    response = client.get(reverse("patients:search"), {"q": "张"}, HTTP_HX_REQUEST="true")
    page = _text(response)
    assert "<html" not in page
    assert "张三" in page and "李四" not in page
    assert "110105********002X" in page and WOMAN_1949 not in page
    assert 'data-label="Resident ID"' in page


def test_search_says_when_nothing_matches(client: Client, doctor: Membership) -> None:
    page = _text(client.get(reverse("patients:search"), {"q": "不存在"}))
    assert "No patient of your institution matches" in page


def test_register_creates_and_opens_the_patient(client: Client, doctor: Membership) -> None:
    response = client.post(
        reverse("patients:register"),
        {"name": "王芳", "resident_id": WOMAN_1949, "phone": "138 1234 5678", "mrn": "MZ1"},
        follow=True,
    )
    patient = Patient.objects.get()
    assert response.redirect_chain[-1][0] == reverse("patients:detail", args=[patient.uuid])
    page = _text(response)
    assert "Patient registered." in page
    assert "1949-12-31" in page and "13812345678" in page and "MZ1" in page


def test_register_of_a_known_resident_lands_on_the_existing_patient(client: Client) -> None:
    existing = make_patient(
        an_institution(), name="王芳", resident_id=WOMAN_1949, sex="2",
        birth_date=dt.date(1949, 12, 31), phone="13812345678", address="幸福路1号",
    )  # fmt: skip
    member = _signed_in(client, "requester")
    response = client.post(
        reverse("patients:register"), {"name": "王芳", "resident_id": WOMAN_1949}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("patients:detail", args=[existing.uuid])
    page = _text(response)
    assert "This resident is registered at another institution too" in page
    # The other institution's contact details stay with it.
    assert "13812345678" not in page and "幸福路1号" not in page
    assert CareRelationship.objects.filter(
        patient=existing, institution=member.institution
    ).exists()
    assert Patient.objects.count() == 1


def test_register_shows_every_error_and_keeps_nothing(client: Client, doctor: Membership) -> None:
    response = client.post(
        reverse("patients:register"),
        {"name": "", "resident_id": "110105194912310021", "phone": "123"},
    )
    page = _text(response)
    assert response.status_code == 200
    # Each wrong field is marked and says why beside it, and the summary above lists them.
    assert page.count('aria-invalid="true"') == 3
    assert page.count('class="errorlist invalid-feedback') == 3
    assert "Please correct 3 problems before sending." in page
    assert "This field is required." in page
    assert "The check character is wrong" in page
    assert "Enter a mobile number" in page
    assert not Patient.objects.exists()


def test_register_page_speaks_chinese_by_default(client: Client) -> None:
    membership = cast(Membership, MembershipFactory(roles=["requester"]))
    client.force_login(membership.user)
    page = _text(client.post(reverse("patients:register"), {"name": "", "sex": "1"}))
    assert "登记患者" in page
    assert "姓名" in page and "居民身份证号" in page
    assert "此项为必填项。" in page


def test_date_pickers_get_iso_dates_in_chinese_too(client: Client) -> None:
    membership = cast(Membership, MembershipFactory(roles=["requester"]))
    client.force_login(membership.user)
    patient = make_patient(membership.institution)
    page = _text(client.get(reverse("patients:detail", args=[patient.uuid])))
    assert f'value="{timezone.localdate().isoformat()}"' in page
    assert "登记知情同意书" in page


def test_detail_shows_demographics_identifiers_care_and_consents(
    client: Client, doctor: Membership
) -> None:
    patient = make_patient(doctor.institution, name="王芳", resident_id=WOMAN_1949, sex="2")
    page = _text(client.get(reverse("patients:detail", args=[patient.uuid])))
    assert WOMAN_1949 in page  # in full, on the patient's own page
    assert doctor.institution.name in page
    assert "registered the patient" in page
    assert "No signed consent on file." in page
    assert 'enctype="multipart/form-data"' in page and 'name="scan"' in page
    assert AuditEvent.objects.filter(
        action="patient.read", patient_id=patient.pk, outcome=0
    ).exists()


def test_consent_upload_then_scan_download(client: Client, doctor: Membership) -> None:
    patient = make_patient(doctor.institution, birth_date=dt.date(1970, 1, 1))
    content = pdf_bytes()
    response = client.post(
        reverse("patients:consent_add", args=[patient.uuid]),
        {
            "kind": "telemedicine",
            "signed_on": timezone.localdate().isoformat(),
            "signed_by": "王芳",
            "relationship": "self",
            "scan": upload(content, name="scan.pdf"),
        },
        follow=True,
    )
    assert "Consent recorded." in _text(response)
    consent = Consent.objects.get()
    download = client.get(reverse("patients:consent_scan", args=[patient.uuid, consent.uuid]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == content  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(
        action="consent.read", resource_type="Consent", patient_id=patient.pk
    ).exists()


def test_consent_upload_of_a_wrong_file_shows_the_error(client: Client, doctor: Membership) -> None:
    patient = make_patient(doctor.institution)
    response = client.post(
        reverse("patients:consent_add", args=[patient.uuid]),
        {
            "kind": "telemedicine",
            "signed_on": timezone.localdate().isoformat(),
            "signed_by": "王芳",
            "relationship": "self",
            "scan": upload(b"MZ\x90\x00 not a scan", name="scan.pdf"),
        },
    )
    assert "The scan must be a PDF, JPEG or PNG file." in _text(response)
    assert not Consent.objects.exists()


def test_consent_withdrawal_from_the_page(client: Client, doctor: Membership) -> None:
    patient = make_patient(doctor.institution, birth_date=dt.date(1970, 1, 1))
    client.post(
        reverse("patients:consent_add", args=[patient.uuid]),
        {"kind": "recording", "signed_on": timezone.localdate().isoformat(),
         "signed_by": "王芳", "relationship": "self", "scan": upload(pdf_bytes())},
    )  # fmt: skip
    consent = Consent.objects.get()
    response = client.post(
        reverse("patients:consent_withdraw", args=[patient.uuid, consent.uuid]),
        {"reason": "本人撤回"},
        follow=True,
    )
    assert "Consent withdrawn." in _text(response)
    consent.refresh_from_db()
    assert consent.status == "inactive"


def test_identifier_added_from_the_page(client: Client, doctor: Membership) -> None:
    patient = make_patient(doctor.institution)
    response = client.post(
        reverse("patients:identifier_add", args=[patient.uuid]),
        {"system": "insurance", "value": "yb-77"},
        follow=True,
    )
    assert "Identifier added." in _text(response) and "YB-77" in _text(response)
    bad = client.post(
        reverse("patients:identifier_add", args=[patient.uuid]), {"system": "mrn", "value": "!"}
    )
    assert "Use letters, digits" in _text(bad)


def test_supervisor_has_no_patient_pages(client: Client) -> None:
    _signed_in(client, "supervisor")
    assert client.get(reverse("patients:search")).status_code == 403
    assert client.get(reverse("patients:register")).status_code == 403
    assert "/patients/" not in _text(client.get(reverse("home")))


def test_pharmacist_searches_but_does_not_register(client: Client) -> None:
    _signed_in(client, "pharmacist")
    assert client.get(reverse("patients:search")).status_code == 200
    assert client.get(reverse("patients:register")).status_code == 403


def test_nav_and_home_cards_for_a_doctor(client: Client, doctor: Membership) -> None:
    make_patient(doctor.institution, name="赵六", resident_id=resident_id_for(dt.date(1980, 1, 1)))
    page = _text(client.get(reverse("home")))
    assert f'href="{reverse("patients:search")}"' in page
    assert "Register a patient" in page and reverse("patients:register") in page
    assert "Recent patients" in page and "赵六" in page


def test_the_address_region_is_searched_by_name_and_kept_when_the_form_comes_back(
    client: Client, doctor: Membership
) -> None:
    from xietong.directory.tests.factories import RegionFactory

    city = RegionFactory(code="410100", name="郑州市", level="city")
    RegionFactory(code="410102", name="中原区", level="county", parent=city)
    page = _text(client.get(reverse("patients:register")))
    picker = page.split('name="address_region"')[1].split("</select>")[0]
    assert 'data-search-url="/directory/options/regions/"' in picker.split(">")[0]
    # Refused for another reason: the region chosen is still named, with its city.
    refused = client.post(reverse("patients:register"), {"name": "", "address_region": "410102"})
    picker = _text(refused).split('name="address_region"')[1].split("</select>")[0]
    assert '<option value="410102" selected>中原区 · 郑州市 · county</option>' in picker
    client.post(
        reverse("patients:register"),
        {"name": "王芳", "resident_id": WOMAN_1949, "address_region": "410102"},
    )
    assert Patient.objects.get().address_region.code == "410102"  # type: ignore[union-attr]
