from __future__ import annotations

import datetime as dt
import struct
import zlib
from typing import Any, cast

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from xietong.core.actor import Actor
from xietong.directory.models import Institution
from xietong.directory.tests.factories import InstitutionFactory
from xietong.patients.models import CareReason, CareRelationship, Patient, Sex
from xietong.patients.residentid import resident_id_check_char


def resident_id_for(born: dt.date, *, area: str = "410102", seq: int = 1,
                    sex: str | None = None) -> str:  # fmt: skip
    """A valid resident ID for this birth date; `sex` ("1"/"2") sets the sequence's parity."""
    seq = seq % 1000
    if sex is not None and (seq % 2 == 1) != (sex == Sex.MALE):
        seq = (seq + 1) % 1000
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def _born(n: int) -> dt.date:
    return dt.date(1950, 1, 1) + dt.timedelta(days=n * 7)


class PatientFactory(factory.django.DjangoModelFactory):
    """A registered patient, in the care of the institution that registered them."""

    class Meta:
        model = Patient
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"患者{n}")
    birth_date = factory.Sequence(_born)
    sex = factory.Sequence(lambda n: Sex.MALE if n % 2 else Sex.FEMALE)
    resident_id = factory.LazyAttributeSequence(
        lambda p, n: resident_id_for(p.birth_date, seq=n, sex=p.sex)
    )
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    registered_by = factory.SubFactory(InstitutionFactory)

    @factory.post_generation
    def care(obj: Patient, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            CareRelationship.objects.create(
                patient=obj, institution=obj.registered_by, reason=CareReason.REGISTERED
            )


def institution_of(actor: Actor) -> Institution:
    return Institution.objects.get(pk=actor.institution_id or 0)


def an_institution(**kwargs: Any) -> Institution:
    return cast(Institution, InstitutionFactory(**kwargs))


def make_patient(institution: Institution, **kwargs: Any) -> Patient:
    return cast(Patient, PatientFactory(registered_by=institution, **kwargs))


def pdf_bytes(size: int = 0) -> bytes:
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return body + b"\n" * max(0, size - len(body))


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )  # fmt: skip

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )  # fmt: skip


def jpeg_bytes() -> bytes:
    # The start of a JFIF file is what the check reads; the rest need not decode.
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def upload(content: bytes, name: str = "scan.pdf", content_type: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)
