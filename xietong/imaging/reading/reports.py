"""The imaging report (影像诊断报告): the claimer's draft, submitted as preliminary; a senior
signs it final with their password (then it is frozen and hashed, as signed opinions are)
or returns it with a reason; a signed report is corrected as a new signed version with a
reason (FHIR `amended`), the old one kept. A critical finding (危急值) on a preliminary or a
final report tells the requester at once, and waits for their acknowledgement."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.reauth import identity_confirm
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, Message, ValidationFailed
from xietong.core.workflow import Step

from .machine import MACHINE, claimer_ids, requester_ids, senior_ids, signer_ids, step_fits
from .models import ImagingReport, ReadingRequest
from .workflow import Action

TEXT_FIELDS = ("technique", "findings", "impression", "advice")
CONTENT_FIELDS = (*TEXT_FIELDS, "critical")
TEXT_MAX = 10_000


def report_hash(report: ImagingReport) -> str:
    """SHA-256 over the content and what it is about, in a fixed order."""
    content: dict[str, Any] = {name: getattr(report, name) for name in CONTENT_FIELDS}
    content.update(
        reading=str(report.reading.uuid),
        study=report.reading.study.study_instance_uid,
        version=report.version,
        author=report.author_id,
        signed_by=report.signed_by_id,
    )
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[Message]] = {}
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in TEXT_FIELDS:
            text = str(value or "").strip()
            if len(text) > TEXT_MAX:
                errors[name] = [_("Keep it within %(max)d characters.") % {"max": TEXT_MAX}]
            out[name] = text
        elif name == "critical":
            out[name] = bool(value)
        else:
            errors.setdefault(name, []).append(_("This field cannot be changed here."))
    if errors:
        raise ValidationFailed(errors)
    return out


def _require_complete(report: ImagingReport) -> None:
    missing: dict[str, list[Message]] = {
        name: [_("This is required before submitting.")]
        for name in ("findings", "impression")
        if not getattr(report, name)
    }
    if missing:
        raise ValidationFailed(missing)


def current_report(reading: ReadingRequest) -> ImagingReport | None:
    """The latest version (the one being written, reviewed, or last signed)."""
    return (
        ImagingReport.objects.filter(reading=reading)
        .select_related("reading__study", "author", "signed_by")
        .order_by("-version")
        .first()
    )


def _draft(actor: Actor, step: Step[ReadingRequest], cleaned: dict[str, Any]) -> ImagingReport:
    """The draft being written (a new one on the first save), with `cleaned` applied."""
    r = step.obj
    report = current_report(r)
    if report is None or report.is_signed:
        report = ImagingReport(reading=r, version=1, author_id=actor.user_id)
    report.reading = r
    for name, value in cleaned.items():
        setattr(report, name, value)
    return report


def report_draft_save(*, actor: Actor, reading: ReadingRequest, **values: Any) -> ImagingReport:
    """The claimer saves what they have written; nothing is shown to the requester yet."""
    cleaned = _clean(values)
    with transaction.atomic():
        step = step_fits(MACHINE.step_begin(actor=actor, obj=reading, action=Action.REPORT_SAVE))
        report = _draft(actor, step, cleaned)
        report.save()
        step.detail = {"report": str(report.uuid), "version": report.version}
        MACHINE.step_finish(step, notify=[], title=gettext_lazy("Report draft saved"))
        return report


def _critical_told(step: Step[ReadingRequest], report: ImagingReport) -> bool:
    """A critical finding on the report: on the request, waiting for acknowledgement (a new
    one after an acknowledged report asks again)."""
    r = step.obj
    if not report.critical:
        return False
    if not r.critical:
        r.critical, r.critical_acknowledged_at, r.critical_acknowledged_by_id = True, None, None
    return r.critical_acknowledged_at is None


_CRITICAL_FIELDS = ["critical", "critical_acknowledged_at", "critical_acknowledged_by"]


def report_preliminary(*, actor: Actor, reading: ReadingRequest, **values: Any) -> ImagingReport:
    """The claimer submits the report (with what the editor holds) for review. The
    requester may read it now; a critical finding reaches them at once."""
    cleaned = _clean(values)
    with transaction.atomic():
        step = step_fits(MACHINE.step_begin(actor=actor, obj=reading, action=Action.PRELIMINARY))
        report = _draft(actor, step, cleaned)
        _require_complete(report)
        report.preliminary_at = timezone.now()
        report.save()
        critical = _critical_told(step, report)
        step.detail = {"report": str(report.uuid), "version": report.version,
                       "critical": report.critical}  # fmt: skip
        r = step.obj
        title = (
            gettext_lazy("Critical finding in an imaging report")
            if critical
            else gettext_lazy("Preliminary imaging report")
        )
        MACHINE.step_finish(step, notify=requester_ids(r) + senior_ids(r), title=title,
                            urgent=critical, update_fields=_CRITICAL_FIELDS)  # fmt: skip
        return report


def _secret_check(actor: Actor, password: str, code: str, purpose: str) -> None:
    """Once the state, the role and the report have passed, never inside a transaction: a
    wrong password is then counted toward the account lock whatever happens next."""
    if not identity_confirm(actor=actor, password=password, code=code, purpose=purpose):
        field = "code" if code else "password"
        raise ValidationFailed.single(field, _("Re-enter your password or a current code to sign."))


def _to_sign(step: Step[ReadingRequest]) -> ImagingReport:
    report = current_report(step.obj)
    if report is None or report.is_signed or report.preliminary_at is None:
        raise Conflict(_("There is no preliminary report to sign."), code="no_report")
    report.reading = step.obj
    return report


def report_sign(
    *, actor: Actor, reading: ReadingRequest, password: str = "", code: str = ""
) -> ImagingReport:
    """A senior signs the preliminary report as it is: final, frozen and hashed."""
    _to_sign(step_fits(MACHINE.step_check(actor=actor, obj=reading, action=Action.SIGN)))
    _secret_check(actor, password, code, "imaging_report.sign")
    with transaction.atomic():
        step = step_fits(MACHINE.step_begin(actor=actor, obj=reading, action=Action.SIGN))
        report = _to_sign(step)
        report.signed_at, report.signed_by_id = timezone.now(), actor.user_id
        report.content_hash = report_hash(report)
        report.save()
        critical = _critical_told(step, report)
        step.detail = {"report": str(report.uuid), "version": report.version,
                       "hash": report.content_hash}  # fmt: skip
        r = step.obj
        title = (
            gettext_lazy("Critical finding in an imaging report")
            if critical
            else gettext_lazy("Imaging report signed")
        )
        MACHINE.step_finish(step, notify=requester_ids(r) + claimer_ids(r), title=title,
                            urgent=critical, update_fields=_CRITICAL_FIELDS)  # fmt: skip
        return report


def report_return(*, actor: Actor, reading: ReadingRequest, reason: str) -> ImagingReport:
    """The senior sends the preliminary back to its reader with what to change."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.single("reason", _("Say what the reader should change."))
    with transaction.atomic():
        step = step_fits(MACHINE.step_begin(actor=actor, obj=reading, action=Action.RETURN))
        report = _to_sign(step)
        report.preliminary_at = None
        report.save(update_fields=["preliminary_at", "updated_at"])
        step.reason = reason
        step.detail = {"report": str(report.uuid), "version": report.version}
        MACHINE.step_finish(step, notify=claimer_ids(step.obj),
                            title=gettext_lazy("Imaging report returned"))  # fmt: skip
        return report


def _to_correct(
    actor: Actor, step: Step[ReadingRequest], reason: str, cleaned: dict[str, Any]
) -> ImagingReport:
    old = current_report(step.obj)
    if old is None or not old.is_signed:
        raise Conflict(_("Only a signed report is corrected."), code="not_signed")
    top = ImagingReport.objects.filter(reading=step.obj).aggregate(v=Max("version"))["v"] or 0
    new = ImagingReport(
        reading=step.obj,
        version=top + 1,
        author_id=actor.user_id,
        supersedes=old,
        correction_reason=reason,
        preliminary_at=old.preliminary_at,
        **{name: getattr(old, name) for name in CONTENT_FIELDS},
    )
    for name, value in cleaned.items():
        setattr(new, name, value)
    _require_complete(new)
    return new


def report_correct(
    *, actor: Actor, reading: ReadingRequest, reason: str, password: str = "", code: str = "",
    **values: Any,
) -> ImagingReport:  # fmt: skip
    """A new signed version that supersedes the last, with the reason; the old one stays."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.single("reason", _("Give the reason for the correction."))
    cleaned = _clean(values)
    checked = MACHINE.step_check(actor=actor, obj=reading, action=Action.CORRECT)
    _to_correct(actor, checked, reason, cleaned)
    _secret_check(actor, password, code, "imaging_report.correct")
    with transaction.atomic():
        step = step_fits(MACHINE.step_begin(actor=actor, obj=reading, action=Action.CORRECT))
        new = _to_correct(actor, step, reason, cleaned)
        new.signed_at, new.signed_by_id = timezone.now(), actor.user_id
        new.content_hash = report_hash(new)
        new.save()
        critical = _critical_told(step, new)
        step.reason = reason
        step.detail = {"report": str(new.uuid), "version": new.version, "hash": new.content_hash}
        r = step.obj
        MACHINE.step_finish(step, notify=requester_ids(r) + claimer_ids(r),
                            title=gettext_lazy("Imaging report corrected"), urgent=critical,
                            update_fields=_CRITICAL_FIELDS)  # fmt: skip
        return new


def critical_acknowledge(*, actor: Actor, reading: ReadingRequest) -> ReadingRequest:
    """The requester has taken in the critical finding: recorded, and it leaves their list."""
    with transaction.atomic():
        step = step_fits(MACHINE.step_begin(actor=actor, obj=reading, action=Action.CRITICAL_ACK))
        r = step.obj
        r.critical_acknowledged_at, r.critical_acknowledged_by_id = timezone.now(), actor.user_id
        return MACHINE.step_finish(
            step, notify=signer_ids(r), title=gettext_lazy("Critical finding acknowledged"),
            update_fields=["critical_acknowledged_at", "critical_acknowledged_by"],
        )  # fmt: skip
