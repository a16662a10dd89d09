"""What the reading tests build: a county hospital that sends a study of its patient, the
provincial imaging centre that serves it for imaging reading, two readers and a senior
(审核医师) there, and a stranger hospital."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from xietong.accounts.actors import actor_for_membership
from xietong.accounts.models import Membership, User
from xietong.accounts.tests.factories import MembershipFactory, UserFactory
from xietong.core.actor import Actor
from xietong.directory.models import Institution
from xietong.directory.tests.factories import CollaborationLinkFactory, PractitionerFactory
from xietong.imaging.models import Study
from xietong.imaging.reading import services as svc
from xietong.imaging.reading.models import ReadingRequest
from xietong.imaging.tests.world import a_patient, a_sender, a_study, person_of, stored
from xietong.patients.models import Patient
from xietong.patients.tests.factories import an_institution


def member(institution: Institution, *roles: str, title: str = "") -> Membership:
    """A member with these roles; with `title`, a practitioner of that title as well."""
    user: User
    if title:
        practitioner = PractitionerFactory(institution=institution, title=title)
        user = cast(User, UserFactory(practitioner=practitioner))
    else:
        user = cast(User, UserFactory())
    return cast(
        Membership, MembershipFactory(user=user, institution=institution, roles=list(roles))
    )


@dataclass
class World:
    hospital: Institution
    centre: Institution
    patient: Patient
    study: Study
    requester_m: Membership
    reader_m: Membership
    other_reader_m: Membership
    senior_m: Membership
    stranger_m: Membership
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def requester(self) -> Actor:
        return actor_for_membership(self.requester_m)

    @property
    def reader(self) -> Actor:
        return actor_for_membership(self.reader_m)

    @property
    def other_reader(self) -> Actor:
        return actor_for_membership(self.other_reader_m)

    @property
    def senior(self) -> Actor:
        return actor_for_membership(self.senior_m)

    @property
    def stranger(self) -> Actor:
        return actor_for_membership(self.stranger_m)

    def request(self, urgency: str = "urgent") -> ReadingRequest:
        return svc.reading_create(actor=self.requester, study=self.study, urgency=urgency,
                                  clinical_question="咳嗽两周，排除肺部占位")  # fmt: skip

    def another_study(self, mrn: str = "MRN-1") -> Study:
        sender = a_sender(self.hospital)
        datasets = a_study(person_of(self.patient, mrn=mrn), instances_per_series=1,
                           rows=16, cols=16)  # fmt: skip
        stored(sender, datasets)
        return Study.objects.get(study_instance_uid=datasets[0].StudyInstanceUID)


def world_build() -> World:
    hospital = an_institution(level="county", name="中牟县人民医院")
    centre = an_institution(level="provincial", name="省影像诊断中心")
    CollaborationLinkFactory(provider=centre, client=hospital, service="imaging")
    patient = a_patient(hospital)
    sender = a_sender(hospital)
    datasets = a_study(person_of(patient), instances_per_series=1, rows=16, cols=16)
    stored(sender, datasets)
    study = Study.objects.get(study_instance_uid=datasets[0].StudyInstanceUID)
    assert study.patient_id == patient.pk  # matched on arrival by its MRN
    return World(
        hospital=hospital,
        centre=centre,
        patient=patient,
        study=study,
        requester_m=member(hospital, "requester"),
        reader_m=member(centre, "expert", title="attending"),
        other_reader_m=member(centre, "expert", title="attending"),
        senior_m=member(centre, "expert", title="chief"),
        stranger_m=member(an_institution(level="county"), "requester", "expert"),
    )
