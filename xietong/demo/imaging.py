"""The demo's imaging studies: small synthetic CT, MR and DX studies that the county hospitals'
PACS send to the archive by C-STORE on the second morning of the demo's week, for patients
whose consultations wait for an expert; and two that match nobody, so the reconciliation list
of county A's hospital has work.

They go through the archive's one entrance (instances_store, route "cstore", the hospital's
PACS AE title as the agent) and are matched like any arriving study: by the medical record
number the hospital gives the patient just before (the demo's residents are registered
without one), with name and birth date as the check. A few MB of DICOM in all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from xietong.consultations.demo import DemoCast
from xietong.consultations.demo_stories import consultation_parties
from xietong.core.actor import Actor
from xietong.directory.models import DicomNode, Institution
from xietong.imaging.services import instances_store
from xietong.imaging.synthetic import Person, study_make
from xietong.patients.models import IdentifierSystem, Patient, PatientIdentifier
from xietong.patients.services import patient_identifier_add

from .clock import Story


@dataclass(frozen=True)
class DemoStudy:
    """A study of the patient of the first consultation in `state` that a hospital with a
    PACS requested."""

    state: str
    modality: str
    images: int
    size: int  # rows and columns


# About 3 MB: CT 12 × 256² (1.5 MB), MR 8 × 256² (1 MB), DX 512² (0.5 MB).
STUDIES = (
    DemoStudy("assigned", "CT", 12, 256),
    DemoStudy("in_progress", "MR", 8, 256),
    DemoStudy("triage", "DX", 1, 512),
)
# Each DX 0.5 MB. Sent by county A's hospital: one under a mistyped record number of a patient
# who has studies, one of an emergency patient under a temporary number, not yet registered.
UNMATCHED_EMERGENCY = Person("LS0001", "陈立新", dt.date(1958, 7, 2), "M")


def _sex(patient: Patient) -> str:
    return {"1": "M", "2": "F"}.get(patient.sex, "O")


def _mrn(patient: Patient, when: dt.datetime) -> str:
    return f"{when:%Y}{patient.pk:06d}"


def _mistyped(mrn: str, hospital_id: int) -> str:
    """The number with its last two digits swapped (or its last changed, when they are the
    same), and never another patient's."""
    typo = mrn[:-2] + mrn[-1] + mrn[-2] if mrn[-1] != mrn[-2] else mrn[:-1] + "9"
    while PatientIdentifier.objects.filter(
        system=IdentifierSystem.MRN, assigner_id=hospital_id, value=typo
    ).exists():
        typo = typo[:-1] + str((int(typo[-1]) + 1) % 10)
    return typo


def _send(hospital: Institution, ae_title: str, person: Person, study: DemoStudy,
          when: dt.datetime, accession: str) -> None:  # fmt: skip
    datasets = study_make(
        person=person,
        modality=study.modality,
        instances_per_series=study.images,
        rows=study.size,
        cols=study.size,
        study_date=timezone.localtime(when).date(),
        institution_name=hospital.name,
        accession_number=accession,
    )
    outcomes = instances_store(
        actor=None, institution_id=hospital.pk, route="cstore", items=datasets, agent=ae_title
    )
    refused = [o.message for o in outcomes if not o.accepted]
    if refused:
        raise ValueError(f"a demo study was refused: {refused}")


def _matched(requester: Actor, patient: Patient, study: DemoStudy, hospital: Institution,
             ae_title: str, when: dt.datetime, number: int) -> Story:  # fmt: skip
    yield when
    # The radiology desk registers the patient's record number, then the PACS sends.
    mrn = _mrn(patient, when)
    patient_identifier_add(actor=requester, patient=patient, system=IdentifierSystem.MRN,
                           value=mrn)  # fmt: skip
    person = Person(mrn, patient.name, patient.birth_date, _sex(patient))
    _send(hospital, ae_title, person, study, when, f"A{number:05d}")


def _unmatched(hospital: Institution, ae_title: str, person: Callable[[], Person],
               when: dt.datetime, number: int) -> Story:  # fmt: skip
    yield when
    _send(hospital, ae_title, person(), DemoStudy("", "DX", 1, 512), when, f"A{number:05d}")


def imaging_demo_stories(
    *, cast: DemoCast, patients_of: Callable[[Actor], Sequence[Patient]], began: dt.datetime
) -> list[Story]:
    """The studies as stories of one step each, from 09:00 on the second day of the demo's
    week (`began` is its first morning): before any of its consultations was requested."""
    nodes = dict(DicomNode.objects.values_list("institution_id", "ae_title"))
    parties = [
        (state, requester, patient)
        for state, requester, patient in consultation_parties(cast=cast, patients_of=patients_of)
        if requester.institution_id in nodes
    ]
    hospitals = Institution.objects.in_bulk([r.institution_id for _s, r, _p in parties])
    first = began + dt.timedelta(days=1, hours=1)
    stories: list[Story] = []
    county_a = cast.requesters[0].institution_id
    for n, study in enumerate(STUDIES):
        _state, requester, patient = next(p for p in parties if p[0] == study.state)
        hospital = hospitals[requester.institution_id or 0]
        when = first + dt.timedelta(minutes=40 * n)
        stories.append(_matched(requester, patient, study, hospital, nodes[hospital.pk],
                                when, n + 1))  # fmt: skip
    a_patient = next(p for s, r, p in parties if r.institution_id == county_a and s == "triage")
    a_hospital = hospitals[county_a or 0]

    def mistyped() -> Person:
        # The patient of county A's DX, under their number with two digits swapped.
        mrn = _mrn(a_patient, first)
        return Person(_mistyped(mrn, a_hospital.pk), a_patient.name, a_patient.birth_date,
                      _sex(a_patient))  # fmt: skip

    later = first + dt.timedelta(minutes=40 * len(STUDIES))
    stories.append(_unmatched(a_hospital, nodes[a_hospital.pk], mistyped, later, 11))
    emergency = later + dt.timedelta(minutes=25)
    stories.append(
        _unmatched(a_hospital, nodes[a_hospital.pk], lambda: UNMATCHED_EMERGENCY, emergency, 12)
    )
    return stories
