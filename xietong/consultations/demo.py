"""A history of consultations in every state for the demo province, made through the same
services the pages and the API call (so the audit log, timelines, notifications and deadlines
are real). The demo generator calls `consultations_demo_seed`."""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xietong.core.actor import Actor
from xietong.directory.models import Expert
from xietong.patients.models import Patient
from xietong.patients.selectors import has_active_consent
from xietong.patients.services import consent_record
from xietong.scheduling.models import Slot, SlotStatus

from . import services as s
from .models import Consultation, Mode, Urgency


@dataclass(frozen=True)
class Vignette:
    department: str
    code: str
    diagnosis: str
    complaint: str
    illness: str
    opinion: str
    advice: str


CARDIOLOGY = (
    Vignette("03.04", "I20.0", "不稳定型心绞痛", "反复胸痛3天",
             "3天前活动后出现胸骨后压榨样疼痛，每次持续5～10分钟，休息后缓解",
             "不稳定型心绞痛，中危", "完善冠脉CTA，必要时转上级医院行冠脉造影；双抗血小板、他汀"),
    Vignette("03.04", "I50.9", "慢性心力衰竭急性加重", "活动后气促1周，双下肢水肿",
             "高血压病史15年，1周前受凉后气促加重，夜间不能平卧",
             "慢性心力衰竭急性加重，NYHA III级", "利尿、控制血压，复查BNP与心脏超声，两周后复诊"),
    Vignette("03.04", "I48.9", "心房颤动", "心悸2天",
             "2天前无明显诱因出现心悸，心电图示心房颤动，心室率约120次/分",
             "阵发性心房颤动，CHA2DS2-VASc评分3分", "控制心室率，启动抗凝治疗，评估复律时机"),
)  # fmt: skip
NEUROLOGY = (
    Vignette("03.03", "I63.9", "脑梗死", "右侧肢体无力6小时",
             "6小时前晨起发现右侧肢体无力，言语欠清，头颅CT未见出血",
             "急性脑梗死（左侧大脑中动脉供血区）",
             "超出溶栓时间窗，予抗血小板、他汀，早期康复训练"),
    Vignette("03.03", "G40.9", "癫痫", "发作性意识丧失伴四肢抽搐2次",
             "近1月发作2次，每次约2分钟，发作后意识模糊",
             "癫痫（全面性强直阵挛发作）", "完善视频脑电图与头颅MRI，起始单药抗癫痫治疗"),
    Vignette("03.03", "G45.9", "短暂性脑缺血发作", "发作性左手麻木3次",
             "3天内发作3次，每次持续约10分钟后完全缓解",
             "短暂性脑缺血发作，ABCD2评分4分", "双抗血小板21天，颈动脉超声，控制危险因素"),
)  # fmt: skip

# The states the demo shows, and how many of each: a full board for the telemedicine centre.
PLAN: tuple[tuple[str, int], ...] = (
    ("draft", 2), ("submitted", 2), ("returned", 1), ("triage", 2), ("declined", 1),
    ("assigned", 2), ("accepted", 1), ("scheduled", 2), ("in_progress", 1),
    ("opinion_signed", 2), ("completed", 4), ("cancelled", 1),
)  # fmt: skip
ORDER = ("submitted", "triage", "assigned", "accepted", "in_progress", "opinion_signed")


@dataclass(frozen=True)
class DemoCast:
    """Who acts in the demo's consultations."""

    requesters: Sequence[Actor]
    qc: Actor
    coordinator: Actor
    # Each expert with their signing actor and the vignettes of their specialty.
    experts: Sequence[tuple[Expert, Actor, Sequence[Vignette]]]
    password: str  # the experts' password: signing an opinion asks for it again


@functools.cache
def _consent_pdf() -> bytes:
    from weasyprint import HTML  # imported late: loading it costs a second

    html = (
        "<html><body style='font-family: \"Noto Sans CJK SC\", sans-serif'>"
        "<h1>远程医疗知情同意书</h1><p>本人已知悉远程会诊的目的、方式与风险，同意由本院"
        "将病历资料提交上级医院专家进行远程会诊。</p><p>患者（或家属）签字：________</p>"
        "</body></html>"
    )
    return bytes(HTML(string=html).write_pdf())


def consent_scan() -> SimpleUploadedFile:
    """A printed consent form, as the scan a county hospital would file (rendered once)."""
    return SimpleUploadedFile("知情同意书.pdf", _consent_pdf(), "application/pdf")


def _consent(actor: Actor, patient: Patient, scan: bytes) -> None:
    if has_active_consent(patient=patient, kind="telemedicine"):
        return
    consent_record(
        actor=actor,
        patient=patient,
        kind="telemedicine",
        signed_on=timezone.localdate(),
        signed_by=patient.name,
        relationship="self",
        scan=SimpleUploadedFile("知情同意书.pdf", scan, "application/pdf"),
    )


def _free_slot(expert: Expert) -> Slot | None:
    return (
        Slot.objects.filter(
            schedule__practitioner=expert.practitioner,
            status=SlotStatus.FREE,
            start__gt=timezone.now() + dt.timedelta(hours=2),
        )
        .order_by("start")
        .first()
    )


def consultations_demo_seed(
    *,
    rng: random.Random,
    cast: DemoCast,
    patients_of: Callable[[Actor], Sequence[Patient]],
) -> list[Consultation]:
    """Creates the consultations of PLAN, each driven through the services to its state.
    `patients_of(requester)` gives patients the requester's institution cares for."""
    scan = consent_scan().read()
    made: list[Consultation] = []
    n = 0
    for state, count in PLAN:
        for _ in range(count):
            requester = cast.requesters[n % len(cast.requesters)]
            expert, expert_actor, vignettes = cast.experts[n % len(cast.experts)]
            patients = patients_of(requester)
            patient = patients[n % len(patients)]
            n += 1
            v = rng.choice(vignettes)
            realtime = state == "scheduled" or (state in ORDER[2:] and rng.random() < 0.3)
            values: dict[str, Any] = {
                "reason": f"{v.complaint}，诊断与治疗方案需上级专家指导",
                "purpose": "明确诊断，指导下一步治疗",
                "chief_complaint": v.complaint,
                "present_illness": v.illness,
                "diagnosis_code": v.code,
                "diagnosis_text": v.diagnosis,
                "current_treatment": "对症处理，生命体征平稳",
                "wanted_department": v.department,
                "wanted_title": "chief",
                "urgency": rng.choice([Urgency.ROUTINE, Urgency.ROUTINE, Urgency.URGENT]),
                "mode": Mode.REALTIME if realtime else Mode.ASYNC,
                "preferred_times": [rng.choice(["明天上午", "本周内下午", "尽快"])],
            }
            if state != "draft":
                _consent(requester, patient, scan)
            c = s.consultation_create(actor=requester, patient=patient, **values)
            made.append(_drive(c, state, cast, expert, expert_actor, v))
    return made


def _drive(
    c: Consultation, state: str, cast: DemoCast, expert: Expert, expert_actor: Actor, v: Vignette
) -> Consultation:
    if state == "draft":
        return c
    c = s.consultation_submit(actor=c_requester(cast, c), consultation=c)
    if state == "submitted":
        return c
    if state == "returned":
        return s.consultation_qc_return(
            actor=cast.qc, consultation=c, comment="请补充近期心电图或影像检查报告"
        )
    if state == "cancelled":
        return s.consultation_cancel(
            actor=c_requester(cast, c), consultation=c, reason="患者病情好转，已出院"
        )
    c = s.consultation_qc_pass(actor=cast.qc, consultation=c)
    if state == "triage":
        return c
    c = s.consultation_triage_assign(actor=cast.coordinator, consultation=c, experts=[expert])
    if state == "declined":
        return s.consultation_expert_decline(
            actor=expert_actor, consultation=c, reason="本周外出学术会议，请改派其他专家"
        )
    if state == "assigned":
        return c
    c = s.consultation_expert_accept(actor=expert_actor, consultation=c)
    if c.mode == Mode.REALTIME:
        slot = _free_slot(expert)
        if slot is not None:
            c = s.consultation_schedule(
                actor=cast.coordinator, consultation=c, slot=slot, room="远程会诊室一"
            )
    if state in ("accepted", "scheduled"):
        return c
    c = s.consultation_start(actor=expert_actor, consultation=c)
    if state == "in_progress":
        return c
    s.consultation_opinion_draft_save(
        actor=expert_actor,
        consultation=c,
        diagnosis=v.opinion,
        recommendations=v.advice,
        follow_up="两周后门诊复诊，病情变化随时就诊",
    )
    s.consultation_opinion_sign(actor=expert_actor, consultation=c, password=cast.password)
    c.refresh_from_db()
    if state == "opinion_signed":
        return c
    return s.consultation_acknowledge(
        actor=c_requester(cast, c), consultation=c, rating=5, comment="意见明确，非常感谢"
    )


def c_requester(cast: DemoCast, c: Consultation) -> Actor:
    """The demo requester who asked for `c`."""
    return next(a for a in cast.requesters if a.user_id == c.requesting_user_id)
