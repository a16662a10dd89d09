"""The edges of the protocol: which transfer syntax a retrieval is answered in, and STOW-RS
bodies that are not what they say."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.test import AsyncClient, Client
from django.urls import reverse
from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit

from xietong.imaging.dicomweb.wado import acceptable_syntaxes
from xietong.imaging.models import Instance
from xietong.imaging.synthetic import Person, dataset_bytes

from .world import BORN, a_sender, a_study, stored

pytestmark = pytest.mark.django_db

DICOM_PARTS = 'multipart/related; type="application/dicom"'


def test_what_an_accept_header_takes():
    assert acceptable_syntaxes("") is None
    assert acceptable_syntaxes("*/*") is None
    assert acceptable_syntaxes(DICOM_PARTS) == {ExplicitVRLittleEndian}
    assert acceptable_syntaxes(f"{DICOM_PARTS}; transfer-syntax=*") == {"*"}
    both = f"{DICOM_PARTS}; transfer-syntax={JPEGBaseline8Bit}, {DICOM_PARTS}"
    assert acceptable_syntaxes(both) == {JPEGBaseline8Bit, ExplicitVRLittleEndian}


def test_a_syntax_we_cannot_give_is_not_acceptable():
    sender = a_sender()
    ds = a_study(Person("MRN-1", "王芳", BORN, "F"), instances_per_series=1)[0]
    stored(sender, [ds])
    url = reverse("dicomweb:study", args=[ds.StudyInstanceUID])
    auth = sender.headers["Authorization"]
    jpeg_only = f"{DICOM_PARTS}; transfer-syntax={JPEGBaseline8Bit}"
    assert Client().get(url, HTTP_ACCEPT=jpeg_only, HTTP_AUTHORIZATION=auth).status_code == 406
    assert Client().get(url, HTTP_ACCEPT=DICOM_PARTS, HTTP_AUTHORIZATION=auth).status_code == 200


def _stow(sender, body: bytes, content_type: str):
    return Client().generic("POST", reverse("dicomweb:studies"), body, content_type=content_type,
                            HTTP_AUTHORIZATION=sender.headers["Authorization"])  # fmt: skip


def test_stow_bodies_that_are_not_what_they_say():
    sender = a_sender()
    data = dataset_bytes(a_study(Person("MRN-1", "王芳", BORN, "F"), instances_per_series=1)[0])
    part = b"--b\r\nContent-Type: application/dicom\r\n\r\n" + data + b"\r\n"
    # Cut before its closing delimiter: nothing is stored, whatever the parts look like.
    answer = _stow(sender, part, f"{DICOM_PARTS}; boundary=b")
    assert (
        answer.status_code == 400 and answer.json()["detail"] == "multipart请求体格式错误或不完整。"
    )
    assert _stow(sender, part + b"--b--", "application/dicom").status_code == 415
    assert _stow(sender, b"--b--\r\n", f"{DICOM_PARTS}; boundary=b").status_code == 400
    assert not Instance.objects.exists()
    assert _stow(sender, part + b"--b--\r\n", f"{DICOM_PARTS}; boundary=b").status_code == 200
    assert Instance.objects.count() == 1


def test_a_role_that_does_not_send_studies_is_refused():
    sender = a_sender(role="pharmacist")
    data = dataset_bytes(a_study(Person("MRN-1", "王芳", BORN, "F"), instances_per_series=1)[0])
    body = b"--b\r\nContent-Type: application/dicom\r\n\r\n" + data + b"\r\n--b--\r\n"
    answer = _stow(sender, body, f"{DICOM_PARTS}; boundary=b")
    assert answer.status_code == 403
    assert answer.json()["detail"] == "您的角色不允许向影像归档发送检查。"
    assert not Instance.objects.exists()


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_parts_are_read_whatever_the_blocks_they_arrive_in(block):
    import io

    from xietong.imaging.dicomweb.multipart import Malformed, parts_stream

    body = (b"preamble\r\n--b\r\nContent-Type: application/dicom\r\n\r\nfirst\r\n--b\r\n"
            b"\r\nsecond, no headers\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
            b"a --b in the text\r\n--b--\r\n")  # fmt: skip
    parts = list(parts_stream(io.BytesIO(body), "b", block=block))
    assert [(p.content_type, p.body) for p in parts] == [
        ("application/dicom", b"first"),
        ("", b"second, no headers"),
        ("text/plain", b"a --b in the text"),
    ]
    cut = parts_stream(io.BytesIO(body[:60]), "b", block=block)
    assert next(cut).body == b"first"
    with pytest.raises(Malformed):
        next(cut)


def test_a_body_past_the_limit_is_refused_before_it_is_read(settings):
    settings.XT_STOW_MAX_MB = 1
    sender = a_sender()
    ds = a_study(Person("MRN-1", "王芳", BORN, "F"), instances_per_series=1, rows=1024, cols=1024)
    body = (
        b"--b\r\nContent-Type: application/dicom\r\n\r\n" + dataset_bytes(ds[0]) + b"\r\n--b--\r\n"
    )
    answer = _stow(sender, body, f"{DICOM_PARTS}; boundary=b")
    assert answer.status_code == 413 and "1 MB" in answer.json()["detail"]
    assert not Instance.objects.exists()


def _file_of(instance: Instance) -> bytes:
    return (Path(settings.MEDIA_ROOT) / instance.file).read_bytes()


def _framed(answer_type: str, files: list[bytes], syntax: str) -> bytes:
    boundary = answer_type.split("boundary=")[1]
    head = f"--{boundary}\r\nContent-Type: application/dicom; transfer-syntax={syntax}\r\n\r\n"
    return b"".join(head.encode() + f + b"\r\n" for f in files) + f"--{boundary}--\r\n".encode()


def test_an_instance_is_sent_as_stored_with_its_length():
    sender = a_sender()
    datasets = a_study(Person("MRN-1", "王芳", BORN, "F"), instances_per_series=2, rows=512,
                       cols=512)  # fmt: skip
    stored(sender, datasets)
    one = Instance.objects.get(sop_instance_uid=datasets[0].SOPInstanceUID)
    uids = [datasets[0].StudyInstanceUID, datasets[0].SeriesInstanceUID, one.sop_instance_uid]
    url = reverse("dicomweb:instance", args=uids)
    answer = Client().get(url, HTTP_ACCEPT=f"{DICOM_PARTS}; transfer-syntax=*",
                          HTTP_AUTHORIZATION=sender.headers["Authorization"])  # fmt: skip
    body = b"".join(answer.streaming_content)  # type: ignore[attr-defined]
    assert answer.status_code == 200
    assert body == _framed(answer["Content-Type"], [_file_of(one)], one.transfer_syntax_uid)
    assert answer["Content-Length"] == str(len(body))


def test_under_asgi_instances_are_sent_in_blocks_read_off_the_event_loop():
    """uvicorn serves the demo: no synchronous iterator for Django to read whole first."""
    sender = a_sender()
    datasets = a_study(Person("MRN-1", "王芳", BORN, "F"), instances_per_series=2, rows=512,
                       cols=512)  # fmt: skip
    stored(sender, datasets)
    files = [_file_of(Instance.objects.get(sop_instance_uid=d.SOPInstanceUID)) for d in datasets]
    syntax = Instance.objects.first().transfer_syntax_uid  # type: ignore[union-attr]
    study, series = datasets[0].StudyInstanceUID, datasets[0].SeriesInstanceUID
    one = reverse("dicomweb:instance", args=[study, series, datasets[0].SOPInstanceUID])
    both = reverse("dicomweb:series", args=[study, series])
    headers = {**sender.headers, "Accept": f"{DICOM_PARTS}; transfer-syntax=*"}

    async def fetch(url: str) -> tuple[Any, list[bytes]]:
        answer = await AsyncClient().get(url, headers=headers)
        assert answer.streaming, (answer.status_code, answer.content)
        return answer, [block async for block in answer.streaming_content]  # type: ignore[attr-defined]

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "StreamingHttpResponse must consume synchronous …"
        answer, blocks = async_to_sync(fetch)(one)
        assert answer.status_code == 200
        assert b"".join(blocks) == _framed(answer["Content-Type"], files[:1], syntax)
        assert answer["Content-Length"] == str(len(b"".join(blocks)))
        assert max(len(b) for b in blocks) == 256 * 1024
        answer, blocks = async_to_sync(fetch)(both)
        assert answer.status_code == 200
        assert b"".join(blocks) == _framed(answer["Content-Type"], files, syntax)
