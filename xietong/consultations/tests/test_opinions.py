"""Signing freezes an opinion (hash); a correction is a new version; MDT parts and summary;
the PDF is Chinese and readable."""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from typing import Any

import pytest

from xietong.accounts.models import User
from xietong.accounts.tests.factories import PASSWORD, make_totp_device, totp_code
from xietong.consultations.models import Opinion, Status
from xietong.consultations.pdf import opinion_pdf
from xietong.consultations.services import (
    consultation_expert_accept,
    consultation_opinion_correct,
    consultation_opinion_draft_save,
    consultation_opinion_sign,
    consultation_start,
    consultation_triage_assign,
)
from xietong.consultations.services.opinions import opinion_hash
from xietong.core.errors import Conflict, ValidationFailed

from .world import World

pytestmark = pytest.mark.django_db


def _draft(world: World, **values: Any) -> Opinion:
    c = world.to("in_progress")
    return consultation_opinion_draft_save(
        actor=world.expert_actor,
        consultation=c,
        **({"diagnosis": "不稳定型心绞痛", "recommendations": "冠脉造影"} | values),
    )


def test_signing_needs_the_password_and_freezes_the_content(world: World) -> None:
    draft = _draft(world)
    c = draft.consultation
    with pytest.raises(ValidationFailed) as failed:
        consultation_opinion_sign(actor=world.expert_actor, consultation=c, password="wrong")
    assert "password" in failed.value.fields
    signed = consultation_opinion_sign(actor=world.expert_actor, consultation=c, password=PASSWORD)
    assert signed.signed_by_id == world.expert_actor.user_id
    assert signed.content_hash == opinion_hash(signed)
    c.refresh_from_db()
    assert c.status == Status.OPINION_SIGNED
    with pytest.raises(Conflict):
        consultation_opinion_draft_save(actor=world.expert_actor, consultation=c, diagnosis="改")


def test_signing_with_a_totp_code(world: World) -> None:
    device = make_totp_device(User.objects.get(pk=world.expert_actor.user_id))
    c = _draft(world).consultation
    signed = consultation_opinion_sign(
        actor=world.expert_actor, consultation=c, code=totp_code(device)
    )
    assert signed.is_signed


def test_signing_lists_what_the_opinion_lacks(world: World) -> None:
    c = _draft(world, recommendations="", referral_advised=True).consultation
    with pytest.raises(ValidationFailed) as failed:
        consultation_opinion_sign(actor=world.expert_actor, consultation=c, password=PASSWORD)
    assert set(failed.value.fields) == {"recommendations", "referral_to_institution"}
    assert not Opinion.objects.get(consultation=c).is_signed


def test_a_referral_names_an_active_institution_by_its_key(world: World) -> None:
    draft = _draft(
        world,
        referral_advised=True,
        referral_to_institution=str(world.hospital.uuid),
        referral_to="心血管内科",
    )
    assert draft.referral_to_institution == world.hospital
    assert draft.referral_target == f"{world.hospital.name} · 心血管内科"
    c = draft.consultation
    for wrong in ("not-a-key", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(ValidationFailed) as refused:
            consultation_opinion_draft_save(
                actor=world.expert_actor, consultation=c, referral_to_institution=wrong
            )
        assert set(refused.value.fields) == {"referral_to_institution"}
    world.hospital.active = False
    world.hospital.save()
    with pytest.raises(ValidationFailed):
        consultation_opinion_draft_save(
            actor=world.expert_actor,
            consultation=c,
            referral_to_institution=str(world.hospital.uuid),
        )
    # A draft may still say nothing of where; signing is what needs it.
    cleared = consultation_opinion_draft_save(
        actor=world.expert_actor, consultation=c, referral_to_institution=""
    )
    assert cleared.referral_to_institution is None and cleared.referral_advised


def test_the_hash_covers_the_institution_and_leaves_older_opinions_as_they_were(
    world: World,
) -> None:
    signed = consultation_opinion_sign(
        actor=world.expert_actor,
        consultation=_draft(
            world, referral_advised=True, referral_to_institution=str(world.hospital.uuid)
        ).consultation,
        password=PASSWORD,
    )
    assert signed.content_hash == opinion_hash(signed)
    elsewhere = Opinion(
        consultation=signed.consultation,
        expert=signed.expert,
        version=signed.version,
        **{
            name: getattr(signed, name)
            for name in ("diagnosis", "recommendations", "referral_advised", "referral_to")
        },
        follow_up=signed.follow_up,
        referral_to_institution=world.county,
    )
    assert opinion_hash(elsewhere) != signed.content_hash
    # An opinion signed before institutions were picked: its words only, hashed as then.
    before = Opinion(
        consultation=signed.consultation, expert=signed.expert, version=1,
        diagnosis="不稳定型心绞痛", recommendations="冠脉造影", referral_advised=True,
        referral_to="省人民医院心血管内科",
    )  # fmt: skip
    content = {
        "diagnosis": "不稳定型心绞痛", "recommendations": "冠脉造影", "referral_advised": True,
        "referral_to": "省人民医院心血管内科", "follow_up": "",
        "consultation": str(signed.consultation.uuid), "part": "opinion", "version": 1,
        "expert": str(signed.expert.practitioner.uuid),
    }  # fmt: skip
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert opinion_hash(before) == hashlib.sha256(canonical.encode()).hexdigest()
    assert before.referral_target == "省人民医院心血管内科"


def test_a_correction_is_a_new_version_and_the_old_one_stays(world: World) -> None:
    c = world.to("opinion_signed")
    first = Opinion.objects.get(consultation=c)
    with pytest.raises(ValidationFailed):
        consultation_opinion_correct(
            actor=world.expert_actor,
            consultation=c,
            reason="",
            password=PASSWORD,
            diagnosis="稳定型心绞痛",
        )
    second = consultation_opinion_correct(
        actor=world.expert_actor,
        consultation=c,
        reason="诊断笔误",
        password=PASSWORD,
        diagnosis="稳定型心绞痛",
    )
    assert (second.version, second.supersedes, second.correction_reason) == (2, first, "诊断笔误")
    assert second.content_hash != first.content_hash and second.content_hash == opinion_hash(second)
    first.refresh_from_db()
    assert first.diagnosis == "不稳定型心绞痛" and first.content_hash == opinion_hash(first)


def test_mdt_each_expert_signs_a_part_then_the_lead_signs_the_summary(world: World) -> None:
    c = world.to("triage", kind="mdt")
    lead, lead_actor = world.more_expert()
    consultation_triage_assign(
        actor=world.coordinator, consultation=c, experts=[world.expert, lead], lead=lead
    )
    consultation_expert_accept(actor=world.expert_actor, consultation=c)
    c.refresh_from_db()
    assert c.status == Status.ASSIGNED  # still waiting for the lead
    c = consultation_expert_accept(actor=lead_actor, consultation=c)
    assert c.status == Status.ACCEPTED
    c = consultation_start(actor=lead_actor, consultation=c)
    body: dict[str, Any] = {"diagnosis": "肺癌", "recommendations": "手术"}
    consultation_opinion_draft_save(actor=lead_actor, consultation=c, summary=True, **body)
    with pytest.raises(Conflict):  # a member may not write the summary
        consultation_opinion_draft_save(actor=world.expert_actor, consultation=c, summary=True)
    with pytest.raises(Conflict) as early:  # parts first
        consultation_opinion_sign(actor=lead_actor, consultation=c, password=PASSWORD, summary=True)
    assert early.value.code == "parts_unsigned"
    for actor in (world.expert_actor, lead_actor):
        consultation_opinion_draft_save(actor=actor, consultation=c, **body)
        consultation_opinion_sign(actor=actor, consultation=c, password=PASSWORD)
    c.refresh_from_db()
    assert c.status == Status.IN_PROGRESS
    consultation_opinion_sign(actor=lead_actor, consultation=c, password=PASSWORD, summary=True)
    c.refresh_from_db()
    assert c.status == Status.OPINION_SIGNED
    assert Opinion.objects.filter(consultation=c, signed_at__isnull=False).count() == 3


def _pdf_streams(pdf: bytes) -> list[bytes]:
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return streams


@pytest.mark.usefixtures("cjk_font")
def test_the_pdf_carries_the_opinion_in_chinese(world: World) -> None:
    c = world.to("opinion_signed")
    pdf = opinion_pdf(opinion=Opinion.objects.get(consultation=c))
    assert pdf.startswith(b"%PDF")
    streams = _pdf_streams(pdf)
    # The CJK font is embedded, so it prints the same everywhere...
    assert any(b"NotoSansCJK" in stream for stream in streams)
    # ...and its text maps back to Unicode (copyable, searchable): the title and diagnosis.
    cmap = b"".join(s for s in streams if b"beginbfchar" in s or b"beginbfrange" in s).lower()
    for char in "远程会诊意见书不稳定型心绞痛":
        assert f"<{ord(char):04x}>".encode() in cmap, char
