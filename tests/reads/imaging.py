"""The DICOMweb addresses as the reads walk builds them: a study of the world's patient,
stored by the world's doctor, and each address of it."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from tests.api.operations import World
from xietong.accounts.actors import actor_for_membership
from xietong.imaging.models import Study
from xietong.imaging.services import instances_store
from xietong.imaging.synthetic import Person, dataset_bytes, study_make


def _study(w: World) -> tuple[str, str, str]:
    datasets = study_make(person=Person("MRN-READ", w.patient.name), instances_per_series=1,
                          rows=16, cols=16)  # fmt: skip
    instances_store(actor=actor_for_membership(w.membership), institution_id=w.institution.pk,
                    route="stow", items=[dataset_bytes(d) for d in datasets])  # fmt: skip
    ds = datasets[0]
    Study.objects.filter(study_instance_uid=ds.StudyInstanceUID).update(patient=w.patient)
    return ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID


def _at(name: str, level: int, suffix: str = "") -> Callable[[World], str]:
    """The address `name` of the study (level 1), its series (2) or its instance (3)."""

    def url(w: World) -> str:
        study, series, sop = _study(w)
        args = [study, series, sop][:level]
        if name.startswith("dicomweb:frame"):
            args.append("1")
        return reverse(name, args=args) + suffix

    return url


def _search(name: str) -> Callable[[World], str]:
    def url(w: World) -> str:
        _study(w)
        return reverse(name)

    return url


READ = ("read", "ImagingStudy")
SEARCH = ("search", "ImagingStudy")

# name -> (how to build its address, the event its selector records)
DICOMWEB: dict[str, tuple[Callable[[World], str], tuple[str, str]]] = {
    "dicomweb:studies": (_search("dicomweb:studies"), SEARCH),
    "dicomweb:all_series": (_search("dicomweb:all_series"), SEARCH),
    "dicomweb:all_instances": (_search("dicomweb:all_instances"), SEARCH),
    "dicomweb:study": (_at("dicomweb:study", 1), READ),
    "dicomweb:study_metadata": (_at("dicomweb:study_metadata", 1), READ),
    "dicomweb:study_rendered": (_at("dicomweb:study_rendered", 1), READ),
    "dicomweb:study_thumbnail": (_at("dicomweb:study_thumbnail", 1), READ),
    "dicomweb:study_series": (_at("dicomweb:study_series", 1), READ),
    "dicomweb:study_instances": (_at("dicomweb:study_instances", 1), READ),
    "dicomweb:series": (_at("dicomweb:series", 2), READ),
    "dicomweb:series_metadata": (_at("dicomweb:series_metadata", 2), READ),
    "dicomweb:series_rendered": (_at("dicomweb:series_rendered", 2), READ),
    "dicomweb:series_thumbnail": (_at("dicomweb:series_thumbnail", 2), READ),
    "dicomweb:series_instances": (_at("dicomweb:series_instances", 2), READ),
    "dicomweb:instance": (_at("dicomweb:instance", 3), READ),
    "dicomweb:instance_metadata": (_at("dicomweb:instance_metadata", 3), READ),
    "dicomweb:instance_rendered": (_at("dicomweb:instance_rendered", 3), READ),
    "dicomweb:instance_thumbnail": (_at("dicomweb:instance_thumbnail", 3), READ),
    "dicomweb:frames": (_at("dicomweb:frames", 3), READ),
    "dicomweb:frame_rendered": (_at("dicomweb:frame_rendered", 3), READ),
    "dicomweb:frame_thumbnail": (_at("dicomweb:frame_thumbnail", 3), READ),
    # The form that makes a teaching file shows the study it copies.
    "imaging:teaching_new": (_at("imaging:teaching_new", 1), READ),
    # Taking a study off the wrong patient shows the study first.
    "imaging:study_unlink": (_at("imaging:study_unlink", 1), READ),
}


def _waiting(w: World) -> str:
    """A study of the world's hospital that matched none of its patients."""
    datasets = study_make(person=Person("NOBODY-1", "无名"), instances_per_series=1, rows=16,
                          cols=16)  # fmt: skip
    instances_store(actor=actor_for_membership(w.membership), institution_id=w.institution.pk,
                    route="stow", items=[dataset_bytes(datasets[0])])  # fmt: skip
    study = Study.objects.get(study_instance_uid=datasets[0].StudyInstanceUID)
    return reverse("imaging:reconcile_study", args=[study.uuid])


def _reconcile_list(w: World) -> str:
    _waiting(w)
    return reverse("imaging:reconcile")


RECONCILE: dict[str, tuple[Callable[[World], str], tuple[str, str]]] = {
    "imaging:reconcile": (_reconcile_list, SEARCH),
    "imaging:reconcile_study": (_waiting, READ),
}


def _reading(suffix: str) -> Callable[[World], str]:
    def url(w: World) -> str:
        from xietong.imaging.reading.tests.contract import contract_reading

        return reverse(
            "imaging:reading", args=[contract_reading(w.membership, suffix)["reading_uuid"]]
        )

    return url


def _reading_new(w: World) -> str:
    from xietong.imaging.reading.tests.contract import contract_link, contract_study

    contract_link(w.institution)
    return reverse("imaging:reading_new", args=[contract_study(w.institution).study_instance_uid])


def _worklist(w: World) -> str:
    from xietong.imaging.reading.tests.contract import contract_worklist

    contract_worklist(w.membership)
    return reverse("imaging:worklist")


def _readings_mine(w: World) -> str:
    from xietong.imaging.reading.tests.contract import contract_reading

    contract_reading(w.membership, "")
    return reverse("imaging:readings_mine")


def _report_pdf(w: World) -> str:
    from xietong.imaging.reading.tests.contract import contract_signed_for

    return reverse("imaging:report_pdf", args=[contract_signed_for(w.membership).uuid, 1])


def _report_preview(w: World) -> str:
    from xietong.imaging.reading.tests.contract import contract_reading

    # A preliminary report waiting for the member (made a senior of the centre) to sign it.
    return reverse("imaging:report_preview_pdf", args=[contract_reading(w.membership, "/sign")
                                                       ["reading_uuid"]])  # fmt: skip


READ_READING = ("read", "ImagingReading")
SEARCH_READING = ("search", "ImagingReading")

# name -> (the role that opens it, how to build its address, the event its selector records)
READING: dict[str, tuple[str, Callable[[World], str], tuple[str, str]]] = {
    # The form shows the study it sends to be read.
    "imaging:reading_new": ("requester", _reading_new, READ),
    "imaging:reading": ("requester", _reading(""), READ_READING),
    "imaging:worklist": ("expert", _worklist, SEARCH_READING),
    "imaging:readings_mine": ("requester", _readings_mine, SEARCH_READING),
    "imaging:report_pdf": ("requester", _report_pdf, ("read", "ImagingReport")),
    "imaging:report_preview_pdf": ("expert", _report_preview, ("read", "ImagingReport")),
}
