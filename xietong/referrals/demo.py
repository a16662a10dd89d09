"""A history of referrals for the demo province, in every state, up and down, made through
the same services the pages call (so they are audited and notified like anything a person
does). The demo generator calls `referrals_demo_seed` once the hospitals have published
slots (scheduling.demo)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership, Role, User
from xietong.core.actor import Actor
from xietong.directory.models import Institution
from xietong.directory.selectors import collaboration_providers_for
from xietong.patients.models import Patient
from xietong.patients.selectors import has_active_consent
from xietong.patients.services import consent_record
from xietong.scheduling.models import Slot
from xietong.scheduling.selectors import slots_free

from . import services as s
from .models import Kind, Referral
from .services._bookings import PURPOSES


@dataclass(frozen=True)
class Vignette:
    code: str
    diagnosis: str
    summary: str


VIGNETTES = (
    Vignette("I20.0", "不稳定型心绞痛", "胸骨后压榨性疼痛反复发作，心电图ST段压低，需冠脉造影"),
    Vignette("I63.9", "脑梗死", "突发右侧肢体无力2天，头颅CT未见出血，需进一步评估"),
    Vignette("C34.9", "肺占位性病变", "咳嗽伴痰中带血1月，胸片示右上肺团块影"),
    Vignette("K92.2", "消化道出血", "黑便3天，血红蛋白进行性下降"),
    Vignette("E11.9", "2型糖尿病", "血糖控制不佳，合并周围神经病变，需调整方案"),
    Vignette("N18.4", "慢性肾脏病4期", "肌酐进行性升高，需评估透析时机"),
)
# (state, how many, kind, urgency) — every state of the loop, up and down.
PLAN: tuple[tuple[str, int, str, str], ...] = (
    ("requested", 3, Kind.OUTPATIENT, "routine"),
    ("requested", 1, Kind.EXAMINATION, "urgent"),
    ("green", 1, Kind.INPATIENT, "emergency"),
    ("proposed", 1, Kind.OUTPATIENT, "routine"),
    ("accepted", 3, Kind.OUTPATIENT, "routine"),
    ("accepted", 1, Kind.EXAMINATION, "routine"),
    ("acknowledged", 1, Kind.INPATIENT, "emergency"),
    ("declined", 1, Kind.OUTPATIENT, "routine"),
    ("cancelled", 1, Kind.OUTPATIENT, "routine"),
    ("arrived", 2, Kind.INPATIENT, "urgent"),
    ("reported", 2, Kind.EXAMINATION, "routine"),
    ("treated", 1, Kind.OUTPATIENT, "routine"),
    ("down_requested", 2, Kind.INPATIENT, "routine"),
    ("follow_up", 2, Kind.INPATIENT, "routine"),
    ("closed", 2, Kind.INPATIENT, "routine"),
    ("closed_local", 1, Kind.EXAMINATION, "routine"),
)


def staff_of(institution: Institution, role: str) -> Actor:
    """A member of `institution` in `role` (an existing one, or a demo account without a
    password, so that every hospital's desk and doctors have someone acting for them)."""
    for membership in Membership.objects.filter(
        institution=institution, active=True
    ).select_related("institution", "user"):
        if role in membership.roles:
            return actor_for_membership(membership)
    username = f"{role}_{institution.code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        name = institution.short_name or institution.name
        label = "转诊办" if role == Role.REFERRAL_DESK else "医生"
        user = User(username=username, display_name=f"{name}{label}")
        user.set_unusable_password()
        user.save()
    membership = Membership.objects.create(user=user, institution=institution, roles=[role])
    return actor_for_membership(
        Membership.objects.select_related("institution").get(pk=membership.pk)
    )


def _consent(actor: Actor, patient: Patient) -> None:
    if has_active_consent(patient, "telemedicine"):
        return
    from xietong.consultations.demo import consent_scan

    consent_record(
        actor=actor, patient=patient, kind="telemedicine", signed_on=timezone.localdate(),
        signed_by=patient.name, relationship="self", scan=consent_scan(),
    )  # fmt: skip


def _slot(
    institution: Institution, kind: str, rng: random.Random, *, not_at: dt.datetime | None = None
) -> Slot | None:
    qs = slots_free(
        institution=institution,
        via_referral=True,
        start=timezone.now() + dt.timedelta(hours=2),
        limit=None,
    ).filter(purpose__in=PURPOSES[Kind(kind)])
    if not_at is not None:
        qs = qs.exclude(start=not_at)
    free = list(qs[:30])
    return rng.choice(free) if free else None


def _report() -> SimpleUploadedFile:
    from weasyprint import HTML  # imported late: loading it costs a second

    html = (
        "<html><body style='font-family: \"Noto Sans CJK SC\", sans-serif'><h1>检查报告</h1>"
        "<p>检查所见：右肺上叶见一结节影，边界清楚。</p><p>印象：建议随访复查。</p></body></html>"
    )
    return SimpleUploadedFile("检查报告.pdf", HTML(string=html).write_pdf(), "application/pdf")


def referrals_demo_seed(
    *,
    rng: random.Random,
    senders: Sequence[Actor],
    patients_of: Callable[[Actor], Sequence[Patient]],
) -> list[Referral]:
    """Referrals of PLAN from `senders` (doctors of lower-level institutions) to the
    hospitals that take their referrals and have free slots, each driven to its state.
    `patients_of(sender)` gives patients the sender's institution cares for. Skips what it
    cannot place (no linked hospital with slots) rather than failing the seed."""
    made: list[Referral] = []
    n = 0
    for state, count, kind, urgency in PLAN:
        for _ in range(count):
            sender = senders[n % len(senders)]
            patients = patients_of(sender)
            n += 1
            if not patients:
                continue
            r = _one(rng, sender, patients[n % len(patients)], state, kind, urgency)
            if r is not None:
                made.append(r)
    return made


def _one(
    rng: random.Random, sender: Actor, patient: Patient, state: str, kind: str, urgency: str
) -> Referral | None:
    mine = Institution.objects.get(pk=sender.institution_id or 0)
    slot = None
    target = None
    for candidate in collaboration_providers_for(institution=mine, service="referral"):
        slot = None if urgency == "emergency" else _slot(candidate, kind, rng)
        if slot is not None or urgency == "emergency":
            target = candidate
            break
    if target is None:
        return None
    v = rng.choice(VIGNETTES)
    _consent(sender, patient)
    r = s.referral_create(
        actor=sender, patient=patient, kind=kind, urgency=urgency, receiving_institution=target,
        slot=slot, reason=f"{v.diagnosis}，基层诊治条件有限，需上级医院进一步诊治",
        clinical_summary=v.summary, diagnosis_code=v.code, diagnosis_text=v.diagnosis,
        examination_type="" if slot is None else slot.examination_type,
        justification="基层缺乏相应诊疗条件",
    )  # fmt: skip
    return _drive(r, state, sender, target)


def _drive(r: Referral, state: str, sender: Actor, target: Institution) -> Referral:
    desk = staff_of(target, Role.REFERRAL_DESK)
    doctor = staff_of(target, Role.EXPERT)
    if state in ("requested", "green"):
        return r
    if state == "acknowledged":
        return s.referral_acknowledge(actor=desk, referral=r)
    if state == "proposed":
        # Another time: the referral's own is left out, whatever its key.
        other = _slot(target, r.kind, random.Random(r.pk), not_at=r.slot_start)
        if other is None:
            return r
        return s.referral_propose(actor=desk, referral=r, slot=other, note="原时段专家停诊")
    if state == "declined":
        return s.referral_decline(actor=desk, referral=r, reason="该专科本周满诊，建议改约")
    if state == "cancelled":
        return s.referral_cancel(actor=sender, referral=r, reason="患者病情好转，暂不转诊")
    r = s.referral_accept(actor=desk, referral=r)
    if state == "accepted":
        return r
    r = s.referral_check_in(actor=desk, referral=r)
    if state == "arrived":
        return r
    if r.kind == Kind.EXAMINATION:
        r = s.referral_report_upload(
            actor=desk, referral=r, file=_report(), title="检查报告", findings="右肺上叶结节"
        )
        if state == "closed_local":
            return s.referral_close(actor=sender, referral=r, outcome="treated_locally")
        return r
    r = s.referral_treatment_summary(
        actor=doctor, referral=r, summary="入院后完善检查，予规范治疗，病情好转",
        discharge_diagnosis=r.diagnosis_text,
    )  # fmt: skip
    if state == "treated":
        return r
    today = timezone.localdate()
    r = s.referral_down_refer(
        actor=doctor, referral=r, down_institution=r.sending_institution,
        instructions="按时服药，低盐低脂饮食，循序渐进恢复活动，如有不适及时就诊",
        medications=[{"name": "阿司匹林肠溶片", "dose": "100 mg", "frequency": "每日一次"}],
        follow_up_dates=[today + dt.timedelta(days=d) for d in (0, 14, 30)],
    )  # fmt: skip
    if state == "down_requested":
        return r
    r = s.referral_down_accept(actor=sender, referral=r)
    first = r.follow_ups.order_by("due_date").first()
    if first is not None:
        r = s.referral_follow_up_record(
            actor=sender, referral=r, follow_up_id=first.pk, visited_on=today,
            note="血压、心率平稳，无不适主诉",
        )  # fmt: skip
    if state == "follow_up":
        return r
    return s.referral_close(actor=sender, referral=r, outcome="recovered", note="康复良好")
