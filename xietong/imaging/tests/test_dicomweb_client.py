"""DICOMweb as an independent client sees it: dicomweb-client (requests) against the live
server with an API token, storing, searching and retrieving synthetic studies."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import requests
from dicomweb_client.api import DICOMwebClient
from PIL import Image
from pydicom import dcmread
from pydicom.uid import ExplicitVRLittleEndian
from requests import HTTPError

from xietong.imaging.models import Instance, Study
from xietong.imaging.synthetic import COMPRESSED_SYNTAXES, Person, dataset_bytes

from .world import BORN, a_patient, a_sender, a_study

pytestmark = pytest.mark.django_db(transaction=True)


def _client(live_server: Any, sender: Any) -> DICOMwebClient:
    return DICOMwebClient(url=f"{live_server.url}/dicomweb", headers=sender.headers)


@pytest.fixture
def world(live_server: Any) -> Iterator[dict[str, Any]]:
    sender = a_sender()
    patient = a_patient(sender.institution, mrn="MRN-1")
    client = _client(live_server, sender)
    yield {"sender": sender, "patient": patient, "client": client}
    # Its kept-alive connections closed before the server stops, not by the collector later.
    client._session.close()


def test_store_then_search_then_retrieve(world):
    client = world["client"]
    datasets = a_study(Person("MRN-1", "王芳", BORN, "F"), series_count=2, accession_number="A7")
    answer = client.store_instances(datasets)
    assert len(answer.ReferencedSOPSequence) == 4
    assert "FailedSOPSequence" not in answer
    study_uid = datasets[0].StudyInstanceUID
    assert Study.objects.get(study_instance_uid=study_uid).patient == world["patient"]

    found = client.search_for_studies(search_filters={"PatientID": "MRN-1"})
    assert [f["0020000D"]["Value"][0] for f in found] == [study_uid]
    assert found[0]["00201208"]["Value"] == [4]
    series = client.search_for_series(study_uid)
    assert len(series) == 2 and series[0]["00080060"]["Value"] == ["CT"]
    instances = client.search_for_instances(study_uid, series[0]["0020000E"]["Value"][0])
    assert len(instances) == 2

    first = datasets[0]
    back = client.retrieve_instance(study_uid, first.SeriesInstanceUID, first.SOPInstanceUID)
    assert back.SOPInstanceUID == first.SOPInstanceUID
    assert np.array_equal(back.pixel_array, first.pixel_array)
    assert len(client.retrieve_study(study_uid)) == 4
    metadata = client.retrieve_study_metadata(study_uid)
    assert len(metadata) == 4 and all("7FE00010" not in m for m in metadata)
    assert {m["00080018"]["Value"][0] for m in metadata} == {d.SOPInstanceUID for d in datasets}
    one = client.retrieve_instance_metadata(study_uid, first.SeriesInstanceUID,
                                            first.SOPInstanceUID)  # fmt: skip
    assert one["00100010"]["Value"][0]["Alphabetic"] == "王芳"


@pytest.mark.parametrize("syntax", COMPRESSED_SYNTAXES)
def test_compressed_instances_are_kept_and_their_frames_decoded(world, syntax):
    client = world["client"]
    ds = a_study(Person("MRN-1", "王芳", BORN, "F"), instances_per_series=1,
                 transfer_syntax=syntax)[0]  # fmt: skip
    client.store_instances([ds])
    assert Instance.objects.get().transfer_syntax_uid == syntax
    uids = (ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
    back = client.retrieve_instance(*uids, media_types=(("application/dicom", "*"),))
    assert back.file_meta.TransferSyntaxUID == syntax  # as received, not transcoded
    # Asked for Explicit VR Little Endian only: decoded on the way out.
    plain = client.retrieve_instance(
        *uids, media_types=(("application/dicom", ExplicitVRLittleEndian),)
    )
    assert plain.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
    assert np.array_equal(plain.pixel_array, back.pixel_array)
    frames = client.retrieve_instance_frames(*uids, frame_numbers=[1])
    expected = dcmread(io.BytesIO(dataset_bytes(ds))).pixel_array
    pixels = np.frombuffer(frames[0], dtype="<u2").reshape(expected.shape)
    assert np.array_equal(pixels, expected)


def test_rendered_and_thumbnail_images(world):
    client = world["client"]
    ds = a_study(Person("MRN-1", "王芳", BORN, "F"), instances_per_series=1)[0]
    client.store_instances([ds])
    uids = (ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
    jpeg = client.retrieve_instance_rendered(*uids, media_types=("image/jpeg",))
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG" and image.size == (64, 64)
    assert np.asarray(image).std() > 10  # an image, not a blank
    png = client.retrieve_instance_rendered(
        *uids, media_types=("image/png",), params={"window": "40,400", "viewport": "32,32"}
    )
    assert Image.open(io.BytesIO(png)).format == "PNG"
    wide = client.retrieve_instance_rendered(*uids, media_types=("image/png",),
                                             params={"window": "0,100000"})  # fmt: skip
    assert np.asarray(Image.open(io.BytesIO(wide))).std() < np.asarray(image).std()


def test_bad_instances_fail_with_their_reasons_and_nothing_is_stored(world, live_server):
    good = a_study(Person("MRN-1", "王芳", BORN, "F"), instances_per_series=1)[0]
    cut = dataset_bytes(a_study(Person("MRN-1", "王芳", BORN, "F"), instances_per_series=1)[0])
    no_uid = a_study(Person("MRN-1", "王芳", BORN, "F"), instances_per_series=1)[0]
    del no_uid.SeriesInstanceUID
    boundary = "xt-boundary"
    multipart = f'multipart/related; type="application/dicom"; boundary={boundary}'
    bodies = [dataset_bytes(good), b"not dicom at all" * 20, cut[:-400], dataset_bytes(no_uid)]
    payload = (
        b"".join(
            f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode() + b + b"\r\n"
            for b in bodies
        )
        + f"--{boundary}--\r\n".encode()
    )
    answer = requests.post(
        f"{live_server.url}/dicomweb/studies",
        data=payload,
        headers={**world["sender"].headers, "Accept": "application/dicom+json",
                 "Content-Type": multipart},
        timeout=30,
    )  # fmt: skip
    assert answer.status_code == 202
    document = answer.json()
    failed = document["00081198"]["Value"]
    assert [f["00081197"]["Value"][0] for f in failed] == [0xC000, 0xC000, 0xC000]
    reasons = [f["00000902"]["Value"][0] for f in failed]
    assert reasons[0] == "文件不是DICOM文件。"
    assert len(document["00081199"]["Value"]) == 1
    assert Instance.objects.count() == 1

    only_bad = requests.post(answer.url, data=payload.replace(dataset_bytes(good), b"x" * 200),
                             headers=answer.request.headers, timeout=30)  # fmt: skip
    assert only_bad.status_code == 409
    assert Instance.objects.count() == 1


def test_an_instance_sent_twice_is_stored_once(world):
    client = world["client"]
    datasets = a_study(Person("MRN-1", "王芳", BORN, "F"))
    client.store_instances(datasets)
    again = client.store_instances(datasets)
    assert len(again.ReferencedSOPSequence) == 2
    assert Instance.objects.count() == 2


def test_without_a_token_nothing_answers(live_server):
    client = DICOMwebClient(url=f"{live_server.url}/dicomweb")
    with pytest.raises(HTTPError) as refused:
        client.search_for_studies()
    client._session.close()
    assert refused.value.response is not None
    assert refused.value.response.status_code == 401


def test_search_with_each_parameter_as_the_client_sends_it(world):
    client = world["client"]
    ct = a_study(Person("MRN-1", "王芳", BORN, "F"), modality="CT", accession_number="ACC-1",
                 study_date=dt.date(2026, 1, 10))  # fmt: skip
    mr = a_study(Person("MRN-2", "Zhang^Wei", BORN, "M"), modality="MR", accession_number="ACC-2",
                 study_date=dt.date(2026, 2, 20))  # fmt: skip
    client.store_instances(ct)
    client.store_instances(mr)
    ct_uid, mr_uid = ct[0].StudyInstanceUID, mr[0].StudyInstanceUID

    def found(**kwargs: Any) -> list[str]:
        return [s["0020000D"]["Value"][0] for s in client.search_for_studies(**kwargs)]

    assert found(search_filters={"PatientID": "MRN-2"}) == [mr_uid]
    assert found(search_filters={"PatientName": "zhang*"}) == [mr_uid]
    assert found(search_filters={"StudyDate": "20260101-20260131"}) == [ct_uid]
    assert found(search_filters={"ModalitiesInStudy": "MR"}) == [mr_uid]
    assert found(search_filters={"AccessionNumber": "ACC-1"}) == [ct_uid]
    assert found(search_filters={"StudyInstanceUID": ct_uid}) == [ct_uid]
    assert found(limit=1) == [mr_uid] and found(limit=1, offset=1) == [ct_uid]
    instances = client.search_for_instances(mr_uid, fields=["ImagePositionPatient"])
    assert len(instances) == 2 and all("00200032" in i for i in instances)
    series = client.search_for_series(search_filters={"Modality": "CT"})
    assert [s["0020000D"]["Value"][0] for s in series] == [ct_uid]
