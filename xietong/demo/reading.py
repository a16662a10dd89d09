"""The demo's reading worklist: county A's hospital sends three small studies of its
patients from its PACS and its doctor asks the imaging centre that serves it (Zhengzhou's
telemedicine sub-centre, by the directory's imaging links) to read them. On the demo's
afternoon the centre's reader has a study waiting that is overdue (urgent, asked five hours
ago), another routine one, and a preliminary report of yesterday's MR that waits for the
senior's signature. Made through the services, at the moments they would have happened."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from xietong.core.actor import Actor
from xietong.directory.models import DicomNode, Institution
from xietong.imaging.models import Study
from xietong.imaging.reading import reports as reading_reports
from xietong.imaging.reading import services as reading
from xietong.imaging.synthetic import Person
from xietong.patients.models import IdentifierSystem, Patient, PatientIdentifier
from xietong.patients.services import patient_identifier_add

from .clock import Story
from .imaging import DemoStudy, _send, _sex


@dataclass(frozen=True)
class DemoReading:
    study: DemoStudy
    urgency: str
    question: str
    hours_ago: float
    # A report the reader has written and submitted (waiting for the senior).
    preliminary: tuple[str, str, str, str] | None = None


# Small studies (about 0.5 MB in all): the archive's demo budget is a few MB.
READINGS = (
    DemoReading(DemoStudy("", "CT", 6, 128), "urgent", "咳嗽咯血两周，吸烟史30年，排除肺部占位",
                5),
    DemoReading(DemoStudy("", "DX", 1, 256), "routine", "体检胸片，既往肺结核病史", 3),
    DemoReading(DemoStudy("", "MR", 4, 128), "routine", "反复头痛1月，排除颅内病变", 26,
                ("颅脑MR平扫：T1WI、T2WI、FLAIR、DWI序列。",
                 "脑实质内未见异常信号，DWI未见弥散受限。脑室系统未见扩大，中线结构居中。"
                 "双侧上颌窦黏膜增厚。",
                 "1. 颅脑MR平扫未见明显异常。2. 双侧上颌窦炎。",
                 "结合临床，必要时耳鼻喉科就诊。")),
)  # fmt: skip


def _mrn(requester: Actor, patient: Patient, when: dt.datetime) -> str:
    """The patient's record number at the hospital, given now when they have none."""
    known = PatientIdentifier.objects.filter(
        patient=patient, system=IdentifierSystem.MRN, assigner_id=requester.institution_id
    ).first()
    if known is not None:
        return known.value
    mrn = f"R{when:%Y}{patient.pk:06d}"
    patient_identifier_add(actor=requester, patient=patient, system=IdentifierSystem.MRN,
                           value=mrn)  # fmt: skip
    return mrn


def _story(requester: Actor, reader: Actor, patient: Patient, hospital: Institution,
           ae_title: str, item: DemoReading, now: dt.datetime, number: int) -> Story:  # fmt: skip
    asked = now - dt.timedelta(hours=item.hours_ago)
    yield asked - dt.timedelta(minutes=20)
    mrn = _mrn(requester, patient, asked)
    person = Person(mrn, patient.name, patient.birth_date, _sex(patient))
    accession = f"R{number:05d}"
    _send(hospital, ae_title, person, item.study, asked, accession)
    yield asked
    study = Study.objects.get(institution_id=hospital.pk, accession_number=accession)
    r = reading.reading_create(actor=requester, study=study, urgency=item.urgency,
                               clinical_question=item.question)  # fmt: skip
    if item.preliminary is None:
        return
    yield asked + dt.timedelta(minutes=50)
    r = reading.reading_claim(actor=reader, reading=r)
    yield asked + dt.timedelta(hours=1, minutes=20)
    technique, findings, impression, advice = item.preliminary
    reading_reports.report_preliminary(actor=reader, reading=r, technique=technique,
                                       findings=findings, impression=impression,
                                       advice=advice)  # fmt: skip


def reading_demo_stories(*, requester: Actor, reader: Actor, patients: Sequence[Patient],
                         now: dt.datetime) -> list[Story]:  # fmt: skip
    """One story per study, for the first patients of the requester's hospital."""
    hospital = Institution.objects.get(pk=requester.institution_id or 0)
    ae_title = DicomNode.objects.filter(institution=hospital).values_list("ae_title", flat=True)[0]
    chosen = list(patients)[-len(READINGS) :]
    return [
        _story(requester, reader, patient, hospital, ae_title, item, now, n + 1)
        for n, (patient, item) in enumerate(zip(chosen, READINGS, strict=True))
    ]
