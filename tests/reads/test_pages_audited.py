"""Every page that shows patient data records the read where it fetches it: one `read`
event of the object it is about (or one `search` event for a list), never none and never
the same object twice (docs/adr/0015-one-audited-read-path.md).

The pages come from the URL conf, so a new one fails here, named, until it is listed below
as a page about an object, a list, a page that shows no patient data, or an address that
only takes a form's POST (its service audits the write)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.api.operations import World, world_build
from tests.reads.imaging import DICOMWEB, READING, RECONCILE
from tests.reads.test_api_reads_audited import assert_one_read, events_during
from xietong.accounts.actors import actor_for_membership
from xietong.consultations.tests import contract as consultation_contract
from xietong.consultations.tests.world import add_consent
from xietong.patients.tests.factories import pdf_bytes
from xietong.referrals.tests import contract as referral_contract

pytestmark = pytest.mark.django_db


def _names(patterns: list[Any], namespace: str = "") -> list[str]:
    found: list[str] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            found += _names(p.url_patterns, inner)
        elif isinstance(p, URLPattern) and p.name:
            found.append(f"{namespace}{p.name}")
    return found


# The API and the admin have tests of their own (tests/api/test_reads_audited.py, the
# admin's audit); the language switch is Django's.
PAGES_WALKED = sorted(
    {
        n
        for n in _names(get_resolver().url_patterns)
        if not n.startswith(("api:", "admin:")) and n != "set_language"
    }
)


@dataclass(frozen=True)
class Page:
    role: str
    url: Callable[[World], str]  # built after the world, as the role sees it
    event: tuple[str, str]  # (read | search, resource type)


def _consultation(state: str) -> Callable[[World], Any]:
    def build(w: World) -> Any:
        return consultation_contract._build(w.membership, state)

    return build


def _c(name: str, state: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[_consultation(state)(w).uuid])


def _list(name: str, state: str) -> Callable[[World], str]:
    def url(w: World) -> str:
        _consultation(state)(w)
        return reverse(name)

    return url


def _r(name: str, suffix: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[referral_contract._build(w.membership, suffix).uuid])


def _r_list(name: str, suffix: str) -> Callable[[World], str]:
    def url(w: World) -> str:
        referral_contract._build(w.membership, suffix)
        return reverse(name)

    return url


def _opinion_pdf(w: World) -> str:
    c = _consultation("opinion_signed")(w)
    return reverse("consultations:opinion_pdf", args=[c.uuid, 1])


def _consent_scan(w: World) -> str:
    consent = add_consent(w.patient, w.institution, w.user.pk)
    return reverse("patients:consent_scan", args=[w.patient.uuid, consent.uuid])


def _attachment(w: World) -> str:
    from tests.api.operations import _thread
    from xietong.chat.models import Thread
    from xietong.chat.services import message_post

    thread = Thread.objects.get(uuid=_thread(w)["thread_uuid"])
    file = SimpleUploadedFile("lab.pdf", pdf_bytes(), "application/pdf")
    actor = actor_for_membership(w.membership)
    message = message_post(actor=actor, thread=thread, body="化验单", attachment=file)
    return reverse("conferencing:attachment", args=[message.uuid])


def _thread_page(w: World) -> str:
    from tests.api.operations import _thread

    return reverse("conferencing:thread", args=[_thread(w)["thread_uuid"]])


def _home(w: World) -> str:
    assert w.patient.pk  # registered here: the recent-patients card lists them
    return reverse("home")


def _recent(w: World) -> str:
    assert w.patient.pk  # without a query the page lists the recent patients
    return reverse("patients:search")


def _patient(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.patient.uuid])


def _document(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[w.document.uuid])


def _with_patient(name: str) -> Callable[[World], str]:
    return lambda w: f"{reverse(name)}?patient={w.patient.uuid}"


def _fhir_service_request(w: World) -> str:
    c = _consultation("draft")(w)
    return reverse("fhir:read", args=["ServiceRequest", c.uuid])


def _fhir_everything(w: World) -> str:
    """The record of the world's patient, as a hospital's gateway pushed its Patient."""
    import uuid

    from django.utils import timezone

    from xietong.exchange.models import FhirResource

    logical_id = uuid.uuid4()
    FhirResource.objects.create(
        resource_type="Patient", logical_id=logical_id, patient=w.patient,
        subject=f"Patient/{logical_id}", source_institution=w.patient.registered_by,
        content={"resourceType": "Patient", "id": str(logical_id)}, last_updated=timezone.now(),
    )  # fmt: skip
    return reverse("fhir:operation", args=["Patient", logical_id, "everything"])


READ_PATIENT = ("read", "Patient")
READ_CONSULTATION = ("read", "Consultation")
READ_REFERRAL = ("read", "Referral")
READ_DOCUMENT = ("read", "DocumentReference")
LISTED = ("search", "ServiceRequest")

PAGES: dict[str, Page] = {
    "home": Page("requester", _home, ("search", "Patient")),
    "patients:search": Page("requester", _recent, ("search", "Patient")),
    "patients:detail": Page("requester", _patient("patients:detail"), READ_PATIENT),
    "patients:identifier_add": Page("requester", _patient("patients:identifier_add"), READ_PATIENT),
    "patients:consent_add": Page("requester", _patient("patients:consent_add"), READ_PATIENT),
    "patients:consent_scan": Page("requester", _consent_scan, ("read", "Consent")),
    "records:patient": Page("requester", _patient("records:patient"), READ_PATIENT),
    "records:document": Page("requester", _document("records:document"), READ_DOCUMENT),
    "records:file": Page("requester", _document("records:file"), READ_DOCUMENT),
    "ehr:patient": Page("requester", _patient("ehr:patient"), READ_PATIENT),
    "conferencing:thread": Page("requester", _thread_page, ("read", "ChatThread")),
    "conferencing:attachment": Page("requester", _attachment, ("read", "ChatAttachment")),
    "consultations:create": Page("requester", _with_patient("consultations:create"), READ_PATIENT),
    "consultations:edit": Page("requester", _c("consultations:edit", "draft"), READ_CONSULTATION),
    "consultations:cancel": Page(
        "requester", _c("consultations:cancel", "draft"), READ_CONSULTATION
    ),
    "consultations:detail": Page(
        "requester", _c("consultations:detail", "draft"), READ_CONSULTATION
    ),
    "consultations:qc": Page("qc", _c("consultations:qc", "submitted"), READ_CONSULTATION),
    "consultations:triage": Page(
        "coordinator", _c("consultations:triage", "triage"), READ_CONSULTATION
    ),
    "consultations:schedule": Page(
        "coordinator", _c("consultations:schedule", "accepted"), READ_CONSULTATION
    ),
    "consultations:answer": Page(
        "expert", _c("consultations:answer", "assigned"), READ_CONSULTATION
    ),
    "consultations:opinion": Page(
        "expert", _c("consultations:opinion", "in_progress"), READ_CONSULTATION
    ),
    "consultations:opinion_pdf": Page("requester", _opinion_pdf, ("read", "ConsultationOpinion")),
    "consultations:mine": Page("requester", _list("consultations:mine", "draft"), LISTED),
    "consultations:inbox": Page("qc", _list("consultations:inbox", "submitted"), LISTED),
    "consultations:queue": Page("expert", _list("consultations:queue", "assigned"), LISTED),
    "referrals:create": Page("requester", _with_patient("referrals:create"), READ_PATIENT),
    "referrals:detail": Page("requester", _r("referrals:detail", ""), READ_REFERRAL),
    "referrals:slip": Page("requester", _r("referrals:slip", "/slip"), READ_REFERRAL),
    "referrals:outgoing": Page("requester", _r_list("referrals:outgoing", ""), LISTED),
    "referrals:incoming": Page("referral_desk", _r_list("referrals:incoming", "/accept"), LISTED),
    "referrals:down": Page("requester", _r_list("referrals:down", "/down-accept"), LISTED),
    "referrals:arrivals": Page(
        "referral_desk", _r_list("referrals:arrivals", "/acknowledge"), LISTED
    ),
    "fhir:read": Page("requester", _fhir_service_request, READ_CONSULTATION),
    "fhir:operation": Page("requester", _fhir_everything, ("read", "FhirResource")),
}
# DICOMweb for the viewer, with the session (tests/reads/imaging.py).
PAGES.update(
    {
        name: Page("requester", url, event)
        for name, (url, event) in {**DICOMWEB, **RECONCILE}.items()
    }
)

# The reading worklist and its requests (tests/reads/imaging.py), each as its party sees it.
PAGES.update({name: Page(role, url, event) for name, (role, url, event) in READING.items()})

# page -> why it shows no patient data
NO_PATIENT_DATA: dict[str, str] = {
    "accounts:login": "signing in",
    "accounts:login_past_lock": "signing in",
    "accounts:otp_verify": "signing in",
    "accounts:totp_setup": "the person's own second factor",
    "accounts:account": "the person's own account",
    "accounts:password_change": "the person's own password",
    "directory:institutions": "the directory",
    "directory:institution": "the directory",
    "directory:experts": "the directory",
    "directory:options_experts": "the directory, searched as a picker is typed into",
    "directory:options_institutions": "the directory, searched as a picker is typed into",
    "directory:options_regions": "the directory, searched as a picker is typed into",
    "directory:options_diagnoses": "the ICD-10 code list, searched as a picker is typed into",
    "patients:register": "an empty form",
    "scheduling:schedules": "schedules",
    "scheduling:utilisation": "counts of slots",
    "scheduling:detail": "a schedule and its slots",
    "scheduling:rules": "a schedule's weekly rules",
    "scheduling:exception_add": "a schedule's closed days",
    "scheduling:generate": "a schedule's slots",
    "notifications:list": "the person's own notices (numbers, not patients)",
    "notifications:outbox": "for platform administrators: deliveries and their state",
    "video:meetings": "meetings and who is invited",
    "video:room": "the call; its chat is read through the thread's own audited read",
    "consultations:board": "numbers, hospitals, experts and rooms; no patients",
    "referrals:slot_picker": "free slots",
    "fhir:search": "a search answers through the registered searchers, audited there",
    "audit:log": "the audit log: internal patient numbers for auditors, no records",
    "tasks:failed": "background tasks",
    "administration:index": "the administration's areas",
    "administration:people": "accounts and their memberships; no patients",
    "administration:person_add": "an empty form",
    "administration:person": "an account and its memberships; no patients",
    "administration:approvals": "memberships waiting for approval; no patients",
    "administration:practitioners": "the directory's practitioners; no patients",
    "administration:practitioner_add": "an empty form",
    "administration:practitioner": "a practitioner and their expert profile; no patients",
    "administration:institutions": "the directory's institutions",
    "administration:institution_add": "an empty form",
    "administration:institution": "an institution's particulars",
    "administration:links": "the directory's collaboration links",
    "administration:link_add": "an empty form",
    "administration:dicom_nodes": "the directory's DICOM nodes",
    "administration:dicom_node_add": "an empty form",
    "administration:dicom_node": "a DICOM node's AE title and addresses",
    "administration:gateways": "the hospitals' exchange gateways and their heartbeats",
    "exchange_connection:index": "gateways' heartbeats and counts of what they sent",
    "exchange_connection:databases": "counts and freshness of the four databases: no one named",
    "administration:gateway_add": "an empty form",
    "administration:pushes_stuck": "messages to hospitals by business number: no patient named",
    "fhir:metadata": "the CapabilityStatement: which resource types and searches are served",
    "imaging:teaching_list": "de-identified teaching files: they name no patient",
    "imaging:teaching_download": "a de-identified teaching file (its download is recorded)",
    "viewer:index": "the viewer's program; it reads studies through DICOMweb, audited there",
    "viewer:config": "the viewer's configuration: our addresses and the user's language",
    "viewer:route": "the viewer's program files, or its page for one of its routes",
}

# Addresses that only take a form's POST (a GET is refused or sent back): what they change
# is audited by the service, and what they show after is another page's read.
POST_ONLY = {
    # A hospital's gateway pushes Bundles (exchange/views.py); reads go through fhir:read.
    "fhir_base",
    "accounts:logout",
    "accounts:switch_membership",
    "accounts:totp_disable",
    "accounts:token_issue",
    "accounts:token_revoke",
    "patients:break_glass",
    "patients:consent_withdraw",
    "records:replace",
    "records:in_error",
    "notifications:mark_read",
    "notifications:mark_all_read",
    "conferencing:message_post",
    "video:meeting_end",
    "video:recording",
    "consultations:start",
    "consultations:acknowledge",
    "consultations:opinion_sign",
    "consultations:opinion_correct",
    "referrals:act",
    "audit:verify",
    "administration:approval_decide",
    "administration:link_change",
    "administration:dicom_node_change",
    "administration:gateway_revoke",
    "administration:gateway_secret_renew",
    "imaging:reconcile_link",
    "imaging:reading_act",
    "imaging:report_edit",
    "imaging:report_sign",
    "imaging:report_correct",
}


def test_every_page_is_classified() -> None:
    unlisted = [
        n
        for n in PAGES_WALKED
        if n not in PAGES and n not in NO_PATIENT_DATA and n not in POST_ONLY
    ]
    assert not unlisted, (
        f"say in {__file__} whether these pages show patient data (PAGES, with the event "
        f"their selector records), show none (NO_PATIENT_DATA, with why), or only take a "
        f"POST (POST_ONLY): {unlisted}"
    )
    stale = [n for n in (*PAGES, *NO_PATIENT_DATA, *POST_ONLY) if n not in PAGES_WALKED]
    assert not stale, f"no longer in the URL conf: {stale}"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_page_showing_patient_data_records_one_read(name: str) -> None:
    page = PAGES[name]
    w = world_build(page.role)
    url = page.url(w)
    client = Client()
    client.force_login(w.user)
    answer, events = events_during(lambda: client.get(url))
    assert answer.status_code == 200, (answer.status_code, answer.content[:300])
    assert_one_read(events, *page.event)
