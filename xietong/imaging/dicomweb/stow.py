"""STOW-RS (PS3.18 10.5): POST /dicomweb/studies[/{study}] with multipart/related;
type="application/dicom". Each part is stored or refused on its own (services/ingest.py);
the answer lists what was stored (ReferencedSOPSequence) and what failed and why
(FailedSOPSequence, a failure reason code and our sentence in ErrorComment): 200 when all
were stored, 202 when some failed, 409 when none was stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xietong.core.actor import Actor

from ..dicom import Refusal
from ..services import InstanceOutcome, instances_store
from .auth import dicomweb_view, json_error
from .multipart import Malformed, Part, media_type, parts_stream
from .urls_build import instance_url, studies_base, study_url

# PS3.18 table 10.5.3-2 and PS3.4 C.4.2.1.4: "cannot understand" for what is not a readable
# instance; "does not match" for one sent to another study; "processing failure" for a study
# the sender may not add to.
FAILURE_REASONS = {
    Refusal.NOT_DICOM: 0xC000,
    Refusal.TRUNCATED: 0xC000,
    Refusal.MISSING_UID: 0xC000,
    Refusal.NO_TRANSFER_SYNTAX: 0xC000,
    Refusal.STUDY_MISMATCH: 0xA900,
    Refusal.STUDY_ELSEWHERE: 0x0110,
}
DICOM = "application/dicom"


class _Capped:
    """The request body, ending (as if cut short) past `limit` bytes."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        self._request, self._left, self.exceeded = request, limit, False

    def read(self, size: int = -1, /) -> bytes:
        chunk = self._request.read(size)
        self._left -= len(chunk)
        if self._left < 0:
            self.exceeded = True
            raise Malformed("too large")
        return chunk


class _DicomParts:
    """The application/dicom parts of the body as they arrive (read from the stream, not
    request.body: Django's in-memory limit for form posts does not fit a study). Counts the
    parts of another type, and notes a body that ends before its closing delimiter."""

    def __init__(self, parts: Iterator[Part]) -> None:
        self._parts = parts
        self.others = 0
        self.cut_short = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            for part in self._parts:
                if media_type(part.content_type or DICOM)[0] == DICOM:
                    yield part.body
                else:
                    self.others += 1
        except Malformed:
            self.cut_short = True


def _referenced(base: str, outcome: InstanceOutcome) -> dict[str, Any]:
    return {
        "00081150": {"vr": "UI", "Value": [outcome.sop_class_uid]},
        "00081155": {"vr": "UI", "Value": [outcome.sop_instance_uid]},
        "00081190": {
            "vr": "UR",
            "Value": [
                instance_url(
                    base,
                    outcome.study_instance_uid,
                    outcome.series_instance_uid,
                    outcome.sop_instance_uid,
                )
            ],
        },
    }


def _failed(outcome: InstanceOutcome, reason: int, comment: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "00081197": {"vr": "US", "Value": [reason]},
        "00000902": {"vr": "LO", "Value": [comment[:64]]},
    }
    if outcome.sop_class_uid:
        item["00081150"] = {"vr": "UI", "Value": [outcome.sop_class_uid]}
    if outcome.sop_instance_uid:
        item["00081155"] = {"vr": "UI", "Value": [outcome.sop_instance_uid]}
    return item


def stow_answer(
    request: HttpRequest, outcomes: list[InstanceOutcome], unread: int, cut_short: bool = False
) -> HttpResponse:
    base = studies_base(request)
    referenced = [_referenced(base, o) for o in outcomes if o.accepted]
    failed = [_failed(o, FAILURE_REASONS[o.reason], o.message) for o in outcomes if o.reason]
    failed += [_failed(InstanceOutcome("refused"), 0xC000, _("The part is not application/dicom."))
               for _n in range(unread)]  # fmt: skip
    if cut_short:  # what came after the last whole part is lost: the sender sends it again
        failed.append(_failed(InstanceOutcome("refused"), 0xC000,
                              _("The multipart body is malformed or cut short.")))  # fmt: skip
    document: dict[str, Any] = {}
    studies = {o.study_instance_uid for o in outcomes if o.accepted}
    if len(studies) == 1:
        document["00081190"] = {"vr": "UR", "Value": [study_url(base, studies.pop())]}
    if referenced:
        document["00081199"] = {"vr": "SQ", "Value": referenced}
    if failed:
        document["00081198"] = {"vr": "SQ", "Value": failed}
    status = 200 if not failed else (202 if referenced else 409)
    return HttpResponse(json.dumps(document, ensure_ascii=False), status=status,
                        content_type="application/dicom+json")  # fmt: skip


@require_POST
@dicomweb_view
def stow(
    request: HttpRequest, *, actor: Actor, reader: str, study_uid: str | None = None
) -> HttpResponse:
    kind, params = media_type(request.headers.get("Content-Type", ""))
    if kind != "multipart/related" or "boundary" not in params:
        return json_error(
            415, _('Send the instances as multipart/related; type="application/dicom".')
        )
    if params.get("type", DICOM).lower() != DICOM:
        return json_error(415, _("Only application/dicom parts are accepted."))
    limit = int(settings.XT_STOW_MAX_MB) * 1024 * 1024
    too_large = _("The request is larger than %(limit)d MB. Send the study in parts.") % {
        "limit": settings.XT_STOW_MAX_MB
    }
    if int(request.headers.get("Content-Length") or 0) > limit:
        return json_error(413, too_large)
    body = _Capped(request, limit)  # a chunked body says no length: counted as it is read
    parts = _DicomParts(parts_stream(body, params["boundary"]))
    outcomes = instances_store(
        actor=actor,
        institution_id=actor.institution_id or 0,
        # A signed-in browser's (the pages' upload, imaging/upload.js) is told apart in the
        # index and the audit from a PACS or a script, which send with a token.
        route="upload" if reader.startswith("session:") else "stow",
        items=parts,
        study_uid=study_uid,
    )
    if body.exceeded and not outcomes:
        return json_error(413, too_large)
    if parts.cut_short and not outcomes:
        return json_error(400, _("The multipart body is malformed or cut short."))
    if not outcomes and not parts.others:
        return json_error(400, _("The request carries no instance."))
    return stow_answer(request, outcomes, unread=parts.others, cut_short=parts.cut_short)
