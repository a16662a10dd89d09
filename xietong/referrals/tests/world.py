"""A small province for referral tests: a county hospital that refers up, a provincial
hospital with a referral desk, outpatient and CT slots, a township health centre below it,
an institution with no link, and a consenting patient. `World.to(state)` drives a referral
through the services to any state."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xietong.consultations.tests.world import add_consent, member
from xietong.core.actor import Actor
from xietong.directory.models import Department, Institution
from xietong.directory.tests.factories import (
    CollaborationLinkFactory,
    DepartmentFactory,
    InstitutionFactory,
)
from xietong.patients.models import Patient
from xietong.patients.tests.factories import make_patient, pdf_bytes
from xietong.referrals import services as s
from xietong.referrals.models import Referral
from xietong.scheduling.models import Booking, Schedule, Slot
from xietong.scheduling.tests.factories import make_schedule, make_slot

REQUEST: dict[str, str] = {
    "reason": "胸痛反复发作，需上级医院进一步诊治",
    "clinical_summary": "男，62岁，胸骨后压榨性疼痛3天，心电图ST段压低",
    "diagnosis_code": "I20.0",
    "diagnosis_text": "不稳定型心绞痛",
}


def report_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("ct.pdf", pdf_bytes(), "application/pdf")


@dataclass
class World:
    county: Institution
    hospital: Institution
    township: Institution
    outsider: Institution
    department: Department
    sender: Actor
    desk: Actor
    doctor: Actor
    coordinator: Actor
    down_doctor: Actor
    patient: Patient
    clinic: Schedule
    ct: Schedule
    slots_made: int = 0
    # Where down-referrals go and who accepts them there (default: back to the sender).
    down: Institution | None = None
    down_actor: Actor | None = None

    def slot(self, *, in_hours: float | None = None, exam: bool = False, **kwargs: Any) -> Slot:
        """A slot of the clinic (or CT); without `in_hours` each one an hour after the last."""
        if in_hours is None:
            self.slots_made += 1
            in_hours = 47 + self.slots_made
        return make_slot(self.ct if exam else self.clinic, in_hours=in_hours, **kwargs)

    def request(self, **overrides: Any) -> Referral:
        values: dict[str, Any] = {
            **REQUEST,
            "patient": self.patient,
            "kind": "outpatient",
            "receiving_institution": self.hospital,
        }
        values.update(overrides)
        if "slot" not in values and values.get("urgency") != "emergency":
            values["slot"] = self.slot(exam=values["kind"] == "examination", capacity=3)
        return s.referral_create(actor=self.sender, **values)

    def slot_passes(self, r: Referral) -> None:
        """The appointment's time comes and goes (the slot and the copy on the referral)."""
        past = timezone.now() - dt.timedelta(minutes=5)
        booking = Booking.objects.get(subject_type="referral", subject_id=r.uuid)
        Slot.objects.filter(pk=booking.slot_id).update(start=past)
        Referral.objects.filter(pk=r.pk).update(slot_start=past)
        r.refresh_from_db()

    def to(self, state: str, **overrides: Any) -> Referral:
        """A referral driven through the services to `state`."""
        if state == "requested":
            return self.request(**overrides)
        if state == "proposed":
            return s.referral_propose(
                actor=self.desk, referral=self.request(**overrides), slot=self.slot()
            )
        if state == "declined":
            r = self.request(**overrides)
            return s.referral_decline(actor=self.desk, referral=r, reason="本周专家外出")
        if state == "cancelled":
            r = self.request(**overrides)
            return s.referral_cancel(actor=self.sender, referral=r, reason="病情好转")
        if state == "accepted":
            return s.referral_accept(actor=self.desk, referral=self.request(**overrides))
        if state == "no_show":
            r = self.to("accepted", **overrides)
            self.slot_passes(r)
            return s.referral_mark_no_show(actor=self.desk, referral=r)
        if state == "arrived":
            return s.referral_check_in(actor=self.desk, referral=self.to("accepted", **overrides))
        if state == "reported":
            r = self.to("arrived", kind="examination", **overrides)
            return s.referral_report_upload(
                actor=self.desk, referral=r, file=report_file(), title="胸部CT报告",
                findings="右肺下叶小结节",
            )  # fmt: skip
        if state == "treated":
            r = self.to("arrived", **overrides)
            return s.referral_treatment_summary(
                actor=self.doctor, referral=r, summary="冠脉造影后植入支架1枚，恢复良好",
                discharge_diagnosis="急性冠脉综合征",
            )  # fmt: skip
        if state == "down_requested":
            return s.referral_down_refer(
                actor=self.doctor,
                referral=self.to("treated", **overrides),
                down_institution=self.down or self.county,
                instructions="低盐低脂饮食，逐步恢复活动",
                medications=[{"name": "阿司匹林肠溶片", "dose": "100 mg", "frequency": "每日一次"}],
                follow_up_dates=[timezone.localdate() + dt.timedelta(days=d) for d in (0, 30)],
            )
        if state == "follow_up":
            r = self.to("down_requested", **overrides)
            return s.referral_down_accept(actor=self.down_actor or self.sender, referral=r)
        if state == "closed":
            r = self.to("follow_up", **overrides)
            closer = self.down_actor or self.sender
            return s.referral_close(actor=closer, referral=r, outcome="recovered")
        raise AssertionError(f"no path to {state}")


def make_world(
    *,
    consent: bool = True,
    county: Institution | None = None,
    hospital: Institution | None = None,
    sender: Actor | None = None,
    desk: Actor | None = None,
    doctor: Actor | None = None,
    down: Institution | None = None,
    down_actor: Actor | None = None,
) -> World:
    """The province; the API contract passes its own member in as one of the parties."""
    county = county or cast(Institution, InstitutionFactory(level="county", name="甲县人民医院"))
    hospital = hospital or cast(
        Institution, InstitutionFactory(level="provincial", name="省人民医院")
    )
    township = cast(
        Institution, InstitutionFactory(level="township", kind="health_centre", name="乙镇卫生院")
    )
    outsider = cast(Institution, InstitutionFactory(level="provincial", name="邻省医院"))
    for client in {county, township, down or county}:
        CollaborationLinkFactory(provider=hospital, client=client, service="referral")
    department = cast(Department, DepartmentFactory(code="03.01", name="心血管内科"))
    sender = sender or member(county, "requester")
    patient = make_patient(county, phone="13800138000")
    if consent:
        add_consent(patient, county, sender.user_id)
    clinic = make_schedule(hospital, department=department, name="心内科门诊")
    ct = make_schedule(
        hospital, department=department, purpose="examination", examination_type="ct", name="CT"
    )
    return World(
        county=county,
        hospital=hospital,
        township=township,
        outsider=outsider,
        department=department,
        sender=sender,
        desk=desk or member(hospital, "referral_desk"),
        doctor=doctor or member(hospital, "requester", "expert"),
        coordinator=member(hospital, "coordinator"),
        down_doctor=member(township, "requester"),
        patient=patient,
        clinic=clinic,
        ct=ct,
        down=down,
        down_actor=down_actor,
    )
