"""The API's operations as its OpenAPI document lists them, and the one table that says how
to build a call to each: path parameters per path pattern, bodies per operation.

An operation added to the API shows up here by itself; the contract test then fails,
naming it, until this table says how to call it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, cast

from django.core.files.uploadedfile import SimpleUploadedFile

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import ApiToken, Membership, User
from xietong.accounts.tests.factories import PASSWORD, MembershipFactory
from xietong.accounts.tokens import api_token_issue
from xietong.consultations.tests.contract import (
    CONTRACT_PATHS,
    CONTRACT_ROLES,
    contract_consultation,
    contract_expert_uuid,
    contract_slot_uuid,
)
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory, RegionFactory
from xietong.exchange.tests.factories import make_gateway
from xietong.imaging.reading.tests import contract as reading_contract
from xietong.patients.models import Patient, Sex
from xietong.patients.tests.factories import make_patient, pdf_bytes, resident_id_for
from xietong.records.models import ClinicalDocument
from xietong.records.services import document_upload
from xietong.referrals.tests import contract as referral_contract

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # the documented template, e.g. /api/v1/patients/{patient_uuid}
    spec: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def secured(self) -> bool:
        return bool(self.spec.get("security"))

    @property
    def gateway_only(self) -> bool:
        """Called by a hospital's gateway with its own secret, never by a person."""
        return self.spec.get("security") == [{"GatewayBearer": []}]

    @property
    def path_params(self) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p["in"] == "path"]

    @property
    def body_types(self) -> list[str]:
        return list(self.spec.get("requestBody", {}).get("content", {}))

    @property
    def takes_json(self) -> bool:
        return "application/json" in self.body_types


def operations_in(document: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method.upper(), path, spec)
        for path, item in sorted(document["paths"].items())
        for method, spec in item.items()
        if method in HTTP_METHODS
    ]


@dataclass
class World:
    """One signed-in county doctor, with what the calls need, built by factories."""

    membership: Membership
    token_key: str

    @property
    def user(self) -> User:
        return self.membership.user

    @property
    def institution(self) -> Institution:
        return self.membership.institution

    @cached_property
    def patient(self) -> Patient:
        return make_patient(self.institution)

    @cached_property
    def document(self) -> ClinicalDocument:
        return document_upload(
            actor=actor_for_membership(self.membership), patient=self.patient,
            kind="lab_report", title="血常规", source="consultation:contract",
            file=SimpleUploadedFile("lab.pdf", pdf_bytes(), "application/pdf"),
        )  # fmt: skip

    @cached_property
    def gateway_secret(self) -> str:
        """The secret of a gateway registered for the world's hospital."""
        _gateway, secret = make_gateway(self.institution)
        return secret

    @cached_property
    def spare_token(self) -> ApiToken:
        token, _key = api_token_issue(membership=self.membership, label="spare")
        return token


def world_build(role: str = "requester") -> World:
    province = RegionFactory(code="410000", level="province", name="河南省")
    city = RegionFactory(code="410100", level="city", name="郑州市", parent=province)
    county = RegionFactory(code="410122", level="county", name="中牟县", parent=city)
    hospital = InstitutionFactory(region=county, name="中牟县人民医院", level="county")
    membership = cast(Membership, MembershipFactory(institution=hospital, roles=[role]))
    _token, key = api_token_issue(membership=membership, label="contract test")
    return World(membership=membership, token_key=key)


@dataclass(frozen=True)
class Json:
    data: Any


@dataclass(frozen=True)
class Multipart:
    data: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Callable[[], SimpleUploadedFile]] = field(default_factory=dict)

    def encoded(self) -> dict[str, Any]:
        return {**self.data, **{name: make() for name, make in self.files.items()}}


Body = Json | Multipart


def _patient(w: World) -> dict[str, Any]:
    return {"patient_uuid": w.patient.uuid}


def _document(w: World) -> dict[str, Any]:
    return {"document_uuid": w.document.uuid}


def _thread(w: World) -> dict[str, Any]:
    from xietong.chat.access import thread_access_register
    from xietong.chat.services import thread_for_subject

    # A subject type of the contract's own, whose owner admits the world's doctor.
    thread_access_register("contract", lambda actor, _subject: actor.user_id == w.user.pk)
    return {"thread_uuid": thread_for_subject("contract", "contract-1", "会诊讨论").uuid}


def _notification(w: World) -> Any:
    from xietong.notifications.models import Notification
    from xietong.notifications.services import notify

    notify(user_ids=[w.user.pk], kind="contract", title="会诊已接受")
    return Notification.objects.filter(recipient_id=w.user.pk).latest("id").uuid


def _schedule(w: World) -> dict[str, Any]:
    from xietong.scheduling.tests.factories import make_schedule

    return {"schedule_uuid": make_schedule(w.institution).uuid}


def _booking(w: World) -> dict[str, Any]:
    from xietong.scheduling.services import booking_create
    from xietong.scheduling.tests.factories import make_slot

    # A bare booking: the API cancels and moves only those (a workflow's go through it).
    actor = actor_for_membership(w.membership)
    booking = booking_create(
        actor=actor, slot=make_slot(), subject_type="patient", subject_id=w.patient.uuid
    )
    return {"booking_uuid": booking.uuid}


def _free_slot_uuid() -> str:
    from xietong.scheduling.tests.factories import make_slot

    return str(make_slot(in_hours=96).uuid)


def _consultation_body(w: World) -> Json:
    from xietong.directory.tests.factories import CollaborationLinkFactory

    # A telemedicine centre serving the world's hospital, so it may ask for consultations.
    centre = InstitutionFactory(level="provincial", kind="telemedicine_centre")
    CollaborationLinkFactory(provider=centre, client=w.institution, service="consultation")
    return Json({"patient": str(w.patient.uuid), "urgency": "urgent", "reason": "胸痛待查"})


def _consultation_params(suffix: str) -> Callable[[World], dict[str, Any]]:
    """A consultation in the state the operation at `suffix` needs."""

    def params(w: World) -> dict[str, Any]:
        return contract_consultation(w.membership, suffix)

    return params


def _meeting(w: World) -> dict[str, Any]:
    from xietong.video.meetings import meeting_create

    colleague = cast(Membership, MembershipFactory(institution=w.institution)).user
    actor = actor_for_membership(w.membership)
    meeting = meeting_create(actor=actor, title="病例讨论", invitees=[colleague.uuid])
    return {"meeting_uuid": meeting.uuid}


def _meeting_room(w: World) -> dict[str, Any]:
    return {"subject_type": "meeting", "subject_id": _meeting(w)["meeting_uuid"]}


def _referral_params(suffix: str) -> Callable[[World], dict[str, Any]]:
    """A referral in the state the operation at `suffix` needs."""

    def params(w: World) -> dict[str, Any]:
        return referral_contract.contract_referral(w.membership, suffix)

    return params


def _referral_reason(w: World) -> Json:
    return Json({"reason": "专家本周外出"})


def _reading_params(suffix: str) -> Callable[[World], dict[str, Any]]:
    """A reading request in the state, and with the caller as the party, that the operation
    at `suffix` needs."""

    def params(w: World) -> dict[str, Any]:
        return reading_contract.contract_reading(w.membership, suffix)

    return params


# How to fill the path parameters of each documented path pattern.
PATH_PARAMS: dict[str, Callable[[World], dict[str, Any]]] = {
    "/api/v1/auth/tokens/{token_id}": lambda w: {"token_id": w.spare_token.pk},
    "/api/v1/directory/institutions/{uuid}": lambda w: {"uuid": w.institution.uuid},
    "/api/v1/patients/{patient_uuid}": _patient,
    "/api/v1/patients/{patient_uuid}/identifiers": _patient,
    "/api/v1/patients/{patient_uuid}/consents": _patient,
    "/api/v1/patients/{patient_uuid}/break-glass": _patient,
    "/api/v1/records/patients/{patient_uuid}": _patient,
    "/api/v1/records/{document_uuid}": _document,
    "/api/v1/records/{document_uuid}/file": _document,
    "/api/v1/records/{document_uuid}/replace": _document,
    "/api/v1/records/{document_uuid}/entered-in-error": _document,
    "/api/v1/conferencing/threads/{thread_uuid}/messages": _thread,
    "/api/v1/conferencing/threads/{thread_uuid}/read": _thread,
    "/api/v1/conferencing/threads/{thread_uuid}/attachments": _thread,
    "/api/v1/notifications/{notification_uuid}/read": lambda w: {
        "notification_uuid": _notification(w)
    },
    "/api/v1/scheduling/schedules/{schedule_uuid}": _schedule,
    "/api/v1/scheduling/schedules/{schedule_uuid}/rules": _schedule,
    "/api/v1/scheduling/schedules/{schedule_uuid}/exceptions": _schedule,
    "/api/v1/scheduling/schedules/{schedule_uuid}/slots": _schedule,
    "/api/v1/scheduling/bookings/{booking_uuid}/cancel": _booking,
    "/api/v1/scheduling/bookings/{booking_uuid}/reschedule": _booking,
    "/api/v1/video/rooms/{subject_type}/{subject_id}/join": _meeting_room,
    "/api/v1/video/meetings/{meeting_uuid}/end": _meeting,
    **{
        f"/api/v1/consultations/{{consultation_uuid}}{suffix}": _consultation_params(suffix)
        for suffix in CONTRACT_PATHS
    },
    **{
        f"/api/v1/referrals/{{referral_uuid}}{suffix}": _referral_params(suffix)
        for suffix in referral_contract.CONTRACT_PATHS
    },
    **{
        f"/api/v1/imaging/readings/{{reading_uuid}}{suffix}": _reading_params(suffix)
        for suffix in reading_contract.CONTRACT_PATHS
    },
}

_BORN = dt.date(1961, 3, 8)

# The body each operation that takes one is sent.
BODIES: dict[str, Callable[[World], Body]] = {
    "POST /api/v1/auth/token": lambda w: Json({"username": w.user.username, "password": PASSWORD}),
    "POST /api/v1/conferencing/threads/{thread_uuid}/messages": lambda w: Json(
        {"body": "患者胸痛两小时，心电图已上传"}
    ),
    "POST /api/v1/conferencing/threads/{thread_uuid}/read": lambda w: Json({}),
    "POST /api/v1/conferencing/threads/{thread_uuid}/attachments": lambda w: Multipart(
        data={"body": "化验单"},
        files={"attachment": lambda: SimpleUploadedFile("lab.pdf", pdf_bytes(), "application/pdf")},
    ),
    "POST /api/v1/patients": lambda w: Json(
        {
            "name": "王秀英",
            "sex": Sex.FEMALE,
            "birth_date": _BORN.isoformat(),
            "resident_id": resident_id_for(_BORN, area="410122", seq=24, sex=Sex.FEMALE),
            "phone": "13803710024",
            "address": "河南省郑州市中牟县城关镇东大街 12 号",
        }
    ),
    "POST /api/v1/patients/{patient_uuid}/identifiers": lambda w: Json(
        {"system": "mrn", "value": "ZM-2026-000124"}
    ),
    "POST /api/v1/patients/{patient_uuid}/break-glass": lambda w: Json(
        {"reason": "患者昏迷入院，需要既往病史以便抢救"}
    ),
    "POST /api/v1/patients/{patient_uuid}/consents": lambda w: Multipart(
        data={
            "kind": "telemedicine",
            "signed_on": dt.date.today().isoformat(),
            "signed_by": w.patient.name,
            "relationship": "self",
        },
        files={"scan": lambda: SimpleUploadedFile("consent.pdf", pdf_bytes(), "application/pdf")},
    ),
    "POST /api/v1/consultations": _consultation_body,
    "PATCH /api/v1/consultations/{consultation_uuid}": lambda w: Json(
        {"purpose": "明确诊断", "diagnosis_code": "I20.0"}
    ),
    "PUT /api/v1/consultations/{consultation_uuid}/studies": lambda w: Json({"studies": []}),
    "POST /api/v1/consultations/{consultation_uuid}/qc-return": lambda w: Json(
        {"comment": "请补充心电图"}
    ),
    "POST /api/v1/consultations/{consultation_uuid}/triage": lambda w: Json(
        {"experts": [str(contract_expert_uuid())]}
    ),
    "POST /api/v1/consultations/{consultation_uuid}/decline": lambda w: Json({"reason": "出差"}),
    "POST /api/v1/consultations/{consultation_uuid}/cancel": lambda w: Json(
        {"reason": "患者已转院"}
    ),
    "POST /api/v1/consultations/{consultation_uuid}/schedule": lambda w: Json(
        {"slot": str(contract_slot_uuid(w.membership))}
    ),
    "POST /api/v1/consultations/{consultation_uuid}/reschedule": lambda w: Json(
        {"slot": str(contract_slot_uuid(w.membership))}
    ),
    "POST /api/v1/consultations/{consultation_uuid}/acknowledge": lambda w: Json(
        {"rating": 5, "comment": "意见明确"}
    ),
    "PUT /api/v1/consultations/{consultation_uuid}/opinion": lambda w: Json(
        {"diagnosis": "心绞痛", "recommendations": "冠脉造影"}
    ),
    "POST /api/v1/consultations/{consultation_uuid}/opinion/sign": lambda w: Json(
        {"password": PASSWORD}
    ),
    "POST /api/v1/consultations/{consultation_uuid}/opinion/correct": lambda w: Json(
        {"reason": "笔误", "password": PASSWORD, "follow_up": "两周后复诊"}
    ),
    "POST /api/v1/records/patients/{patient_uuid}": lambda w: Multipart(
        data={"kind": "lab_report", "title": "血常规", "clinical_date": "2026-05-01"},
        files={"file": lambda: SimpleUploadedFile("lab.pdf", pdf_bytes(), "application/pdf")},
    ),
    "POST /api/v1/records/{document_uuid}/replace": lambda w: Multipart(
        data={"title": "血常规（更正）"},
        files={"file": lambda: SimpleUploadedFile("lab.pdf", pdf_bytes(), "application/pdf")},
    ),
    "POST /api/v1/records/{document_uuid}/entered-in-error": lambda w: Json(
        {"reason": "传错了患者"}
    ),
    "POST /api/v1/scheduling/schedules": lambda w: Json(
        {"name": "CT 检查", "purpose": "examination", "examination_type": "ct"}
    ),
    "PUT /api/v1/scheduling/schedules/{schedule_uuid}/rules": lambda w: Json(
        {
            "rules": [
                {
                    "weekday": 0,
                    "start_time": "08:00",
                    "end_time": "12:00",
                    "slot_minutes": 30,
                    "capacity": 4,
                    "referral_reserved": 1,
                }
            ]
        }
    ),
    "POST /api/v1/scheduling/schedules/{schedule_uuid}/exceptions": lambda w: Json(
        {"date": (dt.date.today() + dt.timedelta(days=3)).isoformat(), "kind": "closed"}
    ),
    "POST /api/v1/scheduling/schedules/{schedule_uuid}/slots": lambda w: Json(
        {
            "start_date": dt.date.today().isoformat(),
            "end_date": (dt.date.today() + dt.timedelta(days=13)).isoformat(),
        }
    ),
    "POST /api/v1/scheduling/bookings": lambda w: Json(
        {
            "slot_uuid": _free_slot_uuid(),
            "subject_type": "patient",
            "subject_id": str(w.patient.uuid),
        }
    ),
    "POST /api/v1/scheduling/bookings/{booking_uuid}/cancel": lambda w: Json(
        {"reason": "患者改期"}
    ),
    "POST /api/v1/scheduling/bookings/{booking_uuid}/reschedule": lambda w: Json(
        {"slot_uuid": _free_slot_uuid()}
    ),
    "POST /api/v1/video/meetings": lambda w: Json(
        {
            "title": "病例讨论",
            "invitees": [
                str(cast(Membership, MembershipFactory(institution=w.institution)).user.uuid)
            ],
        }
    ),
}

BODIES.update(
    {
        "POST /api/v1/referrals": lambda w: Json(
            referral_contract.contract_body_refer(w.membership)
        ),
        "POST /api/v1/referrals/check-in": lambda w: Json(
            {"payload": referral_contract.contract_number(w.membership)}
        ),
        "POST /api/v1/referrals/{referral_uuid}/decline": _referral_reason,
        "POST /api/v1/referrals/{referral_uuid}/cancel": _referral_reason,
        "POST /api/v1/referrals/{referral_uuid}/proposal-decline": _referral_reason,
        "POST /api/v1/referrals/{referral_uuid}/down-decline": _referral_reason,
        "POST /api/v1/referrals/{referral_uuid}/propose": lambda w: Json(
            {"slot": referral_contract.contract_proposed_slot(w.membership), "note": "上午已满"}
        ),
        "POST /api/v1/referrals/{referral_uuid}/report": lambda w: Multipart(
            {"title": "胸部CT报告", "findings": "未见异常"},
            {"file": lambda: SimpleUploadedFile("ct.pdf", pdf_bytes(), "application/pdf")},
        ),
        "POST /api/v1/referrals/{referral_uuid}/treatment-summary": lambda w: Json(
            {"summary": "支架植入术后恢复良好", "discharge_diagnosis": "急性冠脉综合征"}
        ),
        "POST /api/v1/referrals/{referral_uuid}/down-refer": lambda w: Json(
            {
                "down_institution": referral_contract.contract_down_target(w.membership),
                "instructions": "低盐低脂饮食",
                "medications": [{"name": "阿司匹林肠溶片", "dose": "100 mg"}],
                "follow_up_dates": [(dt.date.today() + dt.timedelta(days=30)).isoformat()],
            }
        ),
        "POST /api/v1/referrals/{referral_uuid}/follow-up": lambda w: Json(
            {"follow_up": referral_contract.contract_follow_up(w.membership), "note": "血压平稳"}
        ),
        "POST /api/v1/referrals/{referral_uuid}/close": lambda w: Json({"outcome": "recovered"}),
    }
)


def _fixed_body(body: dict[str, Any]) -> Callable[[World], Body]:
    return lambda w: Json(body)


BODIES.update(
    {
        "POST /api/v1/imaging/readings": lambda w: Json(
            reading_contract.contract_body_create(w.membership)
        ),
        **{op: _fixed_body(body) for op, body in reading_contract.CONTRACT_BODIES.items()},
    }
)

# Query parameters to send, where an operation needs some to do its work.
BODIES.update(
    {
        "POST /api/v1/exchange/heartbeat": lambda w: Json(
            {"queue_depth": 3, "oldest_waiting_s": 12.5, "errors_last_hour": 0,
             "last_success_at": "2026-12-05T08:00:00+08:00", "version": "0.1.0"}
        ),
    }
)  # fmt: skip

QUERIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "GET /api/v1/patients": lambda w: {"q": w.patient.name},
    "GET /api/v1/records": lambda w: {"source": "consultation:contract"},
    "GET /api/v1/referrals/slots": lambda w: {"institution": w.institution.uuid},
    # A study waiting at the world's reading centre, so the list has a row to answer.
    "GET /api/v1/imaging/worklist": lambda w: (
        reading_contract.contract_worklist(w.membership) or {"urgency": "urgent"}
    ),
}

# Who calls, where a county doctor ("requester") is not the right person.
ROLES: dict[str, str] = {
    **CONTRACT_ROLES,
    **referral_contract.CONTRACT_ROLES,
    **reading_contract.CONTRACT_ROLES,
    "GET /api/v1/scheduling/schedules": "referral_desk",
    "POST /api/v1/scheduling/schedules": "referral_desk",
    "GET /api/v1/scheduling/schedules/{schedule_uuid}": "referral_desk",
    "PUT /api/v1/scheduling/schedules/{schedule_uuid}/rules": "referral_desk",
    "POST /api/v1/scheduling/schedules/{schedule_uuid}/exceptions": "referral_desk",
    "POST /api/v1/scheduling/schedules/{schedule_uuid}/slots": "referral_desk",
}


class NotCovered(Exception):
    pass


@dataclass(frozen=True)
class Call:
    url: str
    body: Body | None
    query: dict[str, Any]


def call_build(op: Operation, world: World) -> Call:
    """The call the table describes for `op`, or NotCovered saying what is missing."""
    url = op.path
    if op.path_params:
        if op.path not in PATH_PARAMS:
            raise NotCovered(
                f"{op.id}: tests/api/operations.py PATH_PARAMS has no entry for the path "
                f"pattern {op.path!r}; add how to build {[p['name'] for p in op.path_params]}"
            )
        url = url.format(**PATH_PARAMS[op.path](world))
    body = None
    if "requestBody" in op.spec:
        if op.id not in BODIES:
            raise NotCovered(
                f"{op.id}: tests/api/operations.py BODIES has no entry for this operation, "
                f"which takes a {' or '.join(op.body_types)} body"
            )
        body = BODIES[op.id](world)
    required = [
        p["name"] for p in op.spec.get("parameters", []) if p["in"] == "query" and p.get("required")
    ]
    query = QUERIES[op.id](world) if op.id in QUERIES else {}
    if missing := [name for name in required if name not in query]:
        raise NotCovered(f"{op.id}: QUERIES must give the required query parameters {missing}")
    return Call(url=url, body=body, query=query)
