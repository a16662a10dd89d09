"""A history of consultations in every state for the demo province, made through the same
services the pages and the API call (so the audit log, timelines, notifications and deadlines
are real). The demo generator tells them as stories (demo_stories.py)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xietong.core.actor import Actor
from xietong.directory.models import Expert
from xietong.patients.models import Patient
from xietong.patients.selectors import has_active_consent
from xietong.patients.services import consent_record


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


def consent_record_once(actor: Actor, patient: Patient, scan: bytes) -> None:
    """The patient's telemedicine consent on file, unless one is already active."""
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
