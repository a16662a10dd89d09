"""What the imaging tests build: a hospital that sends studies, its patient known by an MRN,
the staff who send and read, and synthetic studies of that patient."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from pydicom.dataset import Dataset

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership
from xietong.accounts.tests.factories import MembershipFactory
from xietong.accounts.tokens import api_token_issue
from xietong.core.actor import Actor
from xietong.directory.models import Institution
from xietong.imaging.services import instances_store
from xietong.imaging.synthetic import Person, dataset_bytes, study_make
from xietong.patients.models import IdentifierSystem, Patient, PatientIdentifier
from xietong.patients.tests.factories import an_institution, make_patient

BORN = dt.date(1960, 3, 4)


@dataclass
class Sender:
    institution: Institution
    membership: Membership
    token: str

    @property
    def actor(self) -> Actor:
        return actor_for_membership(self.membership)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def a_sender(institution: Institution | None = None, role: str = "institution_admin") -> Sender:
    institution = institution or an_institution()
    membership = cast(Membership, MembershipFactory(institution=institution, roles=[role]))
    _token, key = api_token_issue(membership=membership, label="pacs")
    return Sender(institution, membership, key)


def a_patient(institution: Institution, *, mrn: str = "MRN-1", name: str = "王芳") -> Patient:
    patient = make_patient(institution, name=name, birth_date=BORN, sex="2")
    PatientIdentifier.objects.create(
        patient=patient, system=IdentifierSystem.MRN, value=mrn, assigner=institution
    )
    return patient


def person_of(patient: Patient, *, mrn: str = "MRN-1") -> Person:
    return Person(patient_id=mrn, name=patient.name, birth_date=patient.birth_date, sex="F")


def a_study(person: Person, **kwargs: Any) -> list[Dataset]:
    kwargs.setdefault("instances_per_series", 2)
    kwargs.setdefault("rows", 64)
    kwargs.setdefault("cols", 64)
    return study_make(person=person, **kwargs)


def stored(sender: Sender, datasets: list[Dataset]) -> list[Any]:
    return instances_store(
        actor=sender.actor,
        institution_id=sender.institution.pk,
        route="stow",
        items=[dataset_bytes(d) for d in datasets],
    )
