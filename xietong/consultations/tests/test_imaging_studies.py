"""An imaging consultation carries studies of the patient's archive: the requester chooses
them, the centre and the experts who see the consultation see those studies (through the
pages and DICOMweb alike), and nobody else does. It goes to the centre the imaging links name."""

from __future__ import annotations

import json
from typing import cast

import pytest
from django.test import Client
from django.urls import reverse

from xietong.accounts.models import Membership
from xietong.consultations import services as svc
from xietong.consultations.models import ConsultationEvent, ConsultationStudy, Kind
from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.models import AuditEvent
from xietong.directory.models import Institution
from xietong.directory.tests.factories import CollaborationLinkFactory, InstitutionFactory
from xietong.imaging.models import Study
from xietong.imaging.services import instances_store
from xietong.imaging.synthetic import Person, dataset_bytes, study_make
from xietong.patients.tests.factories import make_patient

from .world import World, make_world, member

pytestmark = pytest.mark.django_db


def _study_of(w: World, patient=None, modality: str = "CT") -> Study:
    patient = patient or w.patient
    datasets = study_make(person=Person("MRN-X", patient.name), modality=modality,
                          instances_per_series=1, rows=16, cols=16)  # fmt: skip
    instances_store(actor=w.requester, institution_id=w.county.pk, route="stow",
                    items=[dataset_bytes(d) for d in datasets])  # fmt: skip
    study = Study.objects.get(study_instance_uid=datasets[0].StudyInstanceUID)
    Study.objects.filter(pk=study.pk).update(patient=patient)
    return study


def _browser(actor: Actor) -> Client:
    browser = Client()
    membership = Membership.objects.select_related("user").get(pk=actor.membership_id or 0)
    browser.force_login(membership.user)
    return browser


def _metadata(actor: Actor, study: Study) -> int:
    url = reverse("dicomweb:study_metadata", args=[study.study_instance_uid])
    return _browser(actor).get(url).status_code


def test_the_requester_chooses_studies_on_the_request_page_and_the_experts_read_them():
    w = make_world()
    study = _study_of(w)
    page = _browser(w.requester).get(reverse("consultations:create") + f"?patient={w.patient.uuid}")
    assert "胸部CT平扫" in page.content.decode()  # the patient's study, offered to choose
    c = w.to("draft", kind=Kind.IMAGING)
    svc.consultation_studies_set(actor=w.requester, consultation=c, studies=[study.uuid])
    assert list(ConsultationStudy.objects.values_list("study_id", flat=True)) == [study.pk]
    assert ConsultationEvent.objects.filter(consultation=c, action="update").exists()
    assert AuditEvent.objects.filter(action="consultation.update",
                                     detail__studies=[str(study.uuid)]).exists()  # fmt: skip

    # Before the consultation reaches them, the centre's reviewer does not see the study.
    assert _metadata(w.qc, study) == 404
    svc.consultation_submit(actor=w.requester, consultation=c)
    assert _metadata(w.qc, study) == 200
    svc.consultation_qc_pass(actor=w.qc, consultation=c)
    svc.consultation_triage_assign(actor=w.coordinator, consultation=c, experts=[w.expert])
    workspace = _browser(w.expert_actor).get(reverse("consultations:detail", args=[c.uuid]))
    body = workspace.content.decode()
    assert "待阅影像检查" in body and study.study_instance_uid in body
    assert _metadata(w.expert_actor, study) == 200
    # A doctor elsewhere sees nothing of it.
    stranger = member(cast(Institution, InstitutionFactory(level="county")), "requester")
    assert _metadata(stranger, study) == 404


def test_a_study_of_another_patient_is_refused_and_nothing_changes():
    w = make_world()
    mine, theirs = _study_of(w), _study_of(w, patient=make_patient(w.county))
    c = w.to("draft", kind=Kind.IMAGING)
    svc.consultation_studies_set(actor=w.requester, consultation=c, studies=[mine.uuid])
    with pytest.raises(ValidationFailed) as refused:
        svc.consultation_studies_set(actor=w.requester, consultation=c,
                                     studies=[mine.uuid, theirs.uuid])  # fmt: skip
    assert "studies" in refused.value.fields
    assert list(ConsultationStudy.objects.values_list("study_id", flat=True)) == [mine.pk]


def test_studies_are_chosen_only_while_the_request_is_the_requesters_to_change():
    w = make_world()
    study = _study_of(w)
    c = w.to("triage", kind=Kind.IMAGING)
    from xietong.core.errors import Conflict, NotPermitted

    with pytest.raises((Conflict, NotPermitted)):
        svc.consultation_studies_set(actor=w.requester, consultation=c, studies=[study.uuid])
    assert not ConsultationStudy.objects.exists()


def test_an_imaging_consultation_goes_to_the_centre_the_imaging_links_name():
    w = make_world()
    reading = cast(
        Institution,
        InstitutionFactory(level="provincial", kind="telemedicine_centre", name="省影像中心"),
    )
    CollaborationLinkFactory(provider=reading, client=w.county, service="imaging")
    general = w.to("draft")
    assert general.centre_id == w.centre.pk
    imaging = w.to("draft", kind=Kind.IMAGING)
    assert imaging.centre_id == reading.pk
    # Changing a draft's kind sends it to that kind's centre.
    moved = svc.consultation_update(actor=w.requester, consultation=general, kind=Kind.IMAGING)
    assert moved.centre_id == reading.pk
    back = svc.consultation_update(actor=w.requester, consultation=moved, kind=Kind.GENERAL)
    assert back.centre_id == w.centre.pk


def test_the_api_lists_and_sets_the_studies():
    w = make_world()
    study = _study_of(w)
    c = w.to("draft", kind=Kind.IMAGING)
    browser = _browser(w.requester)
    url = f"/api/v1/consultations/{c.uuid}/studies"
    browser.cookies["csrftoken"] = "x" * 32
    headers = {"X-CSRFToken": "x" * 32}
    answer = browser.put(url, json.dumps({"studies": [str(study.uuid)]}),
                         content_type="application/json", headers=headers)  # fmt: skip
    assert answer.status_code == 200, answer.content
    assert [s["study_instance_uid"] for s in answer.json()] == [study.study_instance_uid]
    listed = browser.get(url).json()
    assert listed[0]["modalities"] == ["CT"] and listed[0]["instance_count"] == 1
    refused = browser.put(url, json.dumps({"studies": ["not-a-uuid"]}),
                          content_type="application/json", headers=headers)  # fmt: skip
    assert refused.status_code == 422


def test_a_study_taken_off_the_wrong_patient_is_no_longer_shared_by_their_consultation():
    w = make_world()
    study = _study_of(w)
    c = w.to("draft", kind=Kind.IMAGING)
    svc.consultation_studies_set(actor=w.requester, consultation=c, studies=[study.uuid])
    svc.consultation_submit(actor=w.requester, consultation=c)
    assert _metadata(w.qc, study) == 200
    from xietong.imaging.services import study_unlink

    study_unlink(actor=w.requester, study=study, reason="错片：同名患者")
    assert _metadata(w.qc, study) == 404
    workspace = _browser(w.qc).get(reverse("consultations:detail", args=[c.uuid]))
    assert study.study_instance_uid not in workspace.content.decode()
