"""Knowing a resident ID opens nothing (docs/adr/0013): registration at a second
institution, what it then reads, the patient's consent to share and emergency access."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.test import Client
from django.utils import timezone

from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.accounts.tokens import api_token_issue
from xietong.core.models import AuditEvent
from xietong.directory.models import Institution
from xietong.notifications.models import Notification
from xietong.patients.models import (
    BreakGlass,
    CareRelationship,
    Consent,
    IdentityConflict,
    Patient,
)
from xietong.patients.tests.factories import make_patient, pdf_bytes, upload
from xietong.records.services import document_upload
from xietong.records.tests.helpers import pdf

pytestmark = pytest.mark.django_db

WOMAN_1949 = "11010519491231002X"
PATIENTS = "/api/v1/patients"


def _client(membership: Membership) -> Client:
    _, key = api_token_issue(membership=membership)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")


def _member(*roles: str, **kwargs: Any) -> Membership:
    return cast(Membership, MembershipFactory(roles=list(roles), **kwargs))


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


class Known:
    """A resident registered at a first institution, with a document and a consent scan."""

    def __init__(self) -> None:
        from xietong.accounts.actors import actor_for_membership

        self.doctor = _member("requester")
        self.institution: Institution = self.doctor.institution
        self.admin = _member("institution_admin", institution=self.institution)
        self.patient = make_patient(
            self.institution, name="王芳", resident_id=WOMAN_1949, sex="2",
            birth_date=dt.date(1949, 12, 31), phone="13812345678", address="幸福路1号",
        )  # fmt: skip
        actor = actor_for_membership(self.doctor)
        self.document = document_upload(
            actor=actor, patient=self.patient, kind="lab_report", title="血常规", file=pdf()
        )
        self.consent = Consent.objects.create(
            patient=self.patient, kind="telemedicine", signed_on=timezone.localdate(),
            signed_by="王芳", institution=self.institution, recorded_by=self.doctor.user,
            scan=upload(pdf_bytes(), "c.pdf"), scan_sha256="0" * 64,
        )  # fmt: skip


def test_a_resident_id_under_another_name_discloses_nothing_and_opens_nothing() -> None:
    known = Known()
    stranger = _client(_member("requester"))
    answer = _post(stranger, PATIENTS, {"name": "李四", "resident_id": WOMAN_1949})
    assert answer.status_code == 201
    body = answer.json()
    # The answer of a new registration: what was typed, nothing of the known record.
    assert (body["created"], body["known_elsewhere"]) == (True, False)
    assert body["patient"]["name"] == "李四"
    assert body["patient"]["uuid"] != str(known.patient.uuid)
    text = answer.content.decode()
    assert "王芳" not in text and "13812345678" not in text and "幸福路1号" not in text
    assert stranger.get(f"{PATIENTS}/{known.patient.uuid}").status_code == 404
    assert stranger.get(f"/api/v1/records/{known.document.uuid}").status_code == 404
    assert IdentityConflict.objects.filter(known_patient=known.patient).count() == 1
    # The registrar finds their own record by the number they typed.
    found = stranger.get(PATIENTS, {"q": WOMAN_1949}).json()
    assert [p["uuid"] for p in found] == [body["patient"]["uuid"]]
    # Registering again at the same institution finds that record, not the known one.
    again = _post(stranger, PATIENTS, {"name": "李四", "resident_id": WOMAN_1949})
    assert again.status_code == 200 and again.json()["patient"]["uuid"] == body["patient"]["uuid"]


def test_the_same_identity_joins_the_record_but_reads_only_its_own_data() -> None:
    known = Known()
    second = _member("requester")
    api = _client(second)
    answer = _post(
        api, PATIENTS, {"name": "王 芳", "resident_id": WOMAN_1949, "phone": "13900000001"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["created"], body["known_elsewhere"]) == (False, True)
    assert body["patient"]["uuid"] == str(known.patient.uuid)
    assert body["patient"]["phone"] == "13900000001"  # its own registrar's, not the other's
    detail = api.get(f"{PATIENTS}/{known.patient.uuid}")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "13812345678" not in text and "幸福路1号" not in text
    assert detail.json()["consents"] == []
    assert [c["institution_code"] for c in detail.json()["care"]] == [second.institution.code]
    # Another institution's document and consent scan stay closed.
    assert api.get(f"/api/v1/records/{known.document.uuid}").status_code == 404
    listed = api.get(f"/api/v1/records/patients/{known.patient.uuid}")
    assert listed.status_code == 200 and listed.json() == []


def test_a_consent_to_share_recorded_here_opens_the_other_institutions_records() -> None:
    from xietong.accounts.actors import actor_for_membership
    from xietong.patients.services import consent_record, patient_register
    from xietong.records.selectors import documents_for_patient, get_document_for

    known = Known()
    second = actor_for_membership(_member("requester"))
    patient, _ = patient_register(actor=second, name="王芳", resident_id=WOMAN_1949)
    assert list(documents_for_patient(actor=second, patient=patient)) == []
    consent_record(
        actor=second, patient=patient, kind="sharing", signed_on=timezone.localdate(),
        signed_by="王芳", relationship="self", scan=upload(pdf_bytes(), "s.pdf"),
    )  # fmt: skip
    assert list(documents_for_patient(actor=second, patient=patient)) == [known.document]
    assert get_document_for(actor=second, document_uuid=known.document.uuid) == known.document


def test_emergency_access_needs_a_reason_is_audited_told_and_counted(
    django_capture_on_commit_callbacks: Any,
) -> None:
    known = Known()
    second = _member("requester")
    api = _client(second)
    _post(api, PATIENTS, {"name": "王芳", "resident_id": WOMAN_1949})
    url = f"{PATIENTS}/{known.patient.uuid}/break-glass"
    short = _post(api, url, {"reason": "急"})
    assert short.status_code == 422
    assert "at least 10 characters" in short.json()["fields"]["reason"][0]
    assert not BreakGlass.objects.exists()
    document_url = f"/api/v1/records/{known.document.uuid}"
    assert api.get(document_url).status_code == 404

    reason = "Unconscious on arrival, history needed for anaesthesia"
    with django_capture_on_commit_callbacks(execute=True):
        opened = _post(api, url, {"reason": reason})
    assert opened.status_code == 201
    assert api.get(document_url).status_code == 200
    event = AuditEvent.objects.get(action="access.break_glass")
    assert event.patient_id == known.patient.pk and event.detail["reason"] == reason
    assert event.detail["holders"] == [known.institution.pk]
    told = Notification.objects.get(kind="patient.break_glass")
    assert told.recipient_id == known.admin.user_id and reason in told.body

    supervisor = _member("supervisor", institution=second.institution)
    from xietong.accounts.actors import actor_for_membership
    from xietong.patients.selectors import break_glass_counts

    counts = break_glass_counts(actor=actor_for_membership(supervisor))
    assert counts == [{"institution": second.institution.name, "count": 1}]

    # It ends by itself.
    BreakGlass.objects.update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get(document_url).status_code == 404


def test_emergency_access_is_refused_where_the_patient_is_not_cared_for() -> None:
    known = Known()
    api = _client(_member("requester"))
    answer = _post(api, f"{PATIENTS}/{known.patient.uuid}/break-glass", {"reason": "x" * 20})
    assert answer.status_code == 404
    assert not BreakGlass.objects.exists()
    assert not CareRelationship.objects.exclude(institution=known.institution).exists()
    assert Patient.objects.count() == 1


def test_the_form_registers_a_mismatch_as_a_new_patient(client: Client) -> None:
    known = Known()
    member = _member("requester")
    client.force_login(member.user)
    client.cookies["django_language"] = "en"
    response = client.post(
        "/patients/new/", {"name": "李四", "resident_id": WOMAN_1949}, follow=True
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "王芳" not in page and "13812345678" not in page
    created = Patient.objects.exclude(pk=known.patient.pk).get()
    assert response.redirect_chain[-1][0] == f"/patients/{created.uuid}/"


def test_emergency_access_before_the_patient_is_taken_into_care_is_a_conflict() -> None:
    # The refusal rule (core/errors.py): the patient is visible to this expert (granted for a
    # consultation) and experts may open emergency access, but their institution has not
    # registered the patient: the state refuses it, so 409, and nothing opens.
    from xietong.accounts.actors import actor_for_membership
    from xietong.patients.grants import patient_access_grant

    known = Known()
    expert = _member("expert")
    patient_access_grant(
        actor=actor_for_membership(known.doctor), patient=known.patient,
        user_id=expert.user_id, source="consultation:1",
    )  # fmt: skip
    url = f"{PATIENTS}/{known.patient.uuid}/break-glass"
    answer = _post(_client(expert), url, {"reason": "x" * 20})
    assert answer.status_code == 409
    assert answer.json() == {
        "code": "conflict",
        "message": "Register the patient at your institution first.",
    }
    assert not BreakGlass.objects.exists()
