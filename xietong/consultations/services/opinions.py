"""The expert's opinion: a draft, signed with the password or a TOTP code, then frozen
(hashed); a correction is a new version with a reason. For MDT each expert signs a part
and the lead signs the summary, which completes the opinion."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xietong.accounts.reauth import identity_confirm
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, Message, ValidationFailed
from xietong.core.workflow import Step, unchanged_since
from xietong.directory.selectors import institution_by_uuid

from ..access import assignments_of, live_assignment_of
from ..models import (
    AssignmentStatus,
    Consultation,
    ConsultationAssignment,
    Kind,
    Opinion,
    OpinionPart,
)
from ..workflow import Action
from ._core import MACHINE, coordinator_ids, expert_ids, requester_ids
from .filing import opinion_file_later

if TYPE_CHECKING:
    from xietong.directory.models import Institution

CONTENT_FIELDS = (
    "diagnosis",
    "recommendations",
    "referral_advised",
    "referral_to_institution",
    "referral_to",
    "follow_up",
)


def opinion_hash(opinion: Opinion) -> str:
    """SHA-256 over the content and what it is about, in a fixed order. The institution
    referred to counts by its key, and only when there is one: an opinion signed before the
    picker existed hashes as it did then."""
    content: dict[str, Any] = {
        name: getattr(opinion, name) for name in CONTENT_FIELDS if name != "referral_to_institution"
    }
    if opinion.referral_to_institution_id is not None:
        institution = opinion.referral_to_institution
        assert institution is not None
        content["referral_to_institution"] = str(institution.uuid)
    content.update(
        consultation=str(opinion.consultation.uuid),
        part=opinion.part,
        version=opinion.version,
        expert=str(opinion.expert.practitioner.uuid),
    )
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(values) - set(CONTENT_FIELDS))
    if unknown:
        raise ValidationFailed(
            {name: [_("This field cannot be changed here.")] for name in unknown}
        )
    out = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    if "referral_advised" in out:
        out["referral_advised"] = bool(out["referral_advised"])
    if "referral_to_institution" in out:
        out["referral_to_institution"] = _institution(out["referral_to_institution"])
    return out


def _institution(value: Any) -> Institution | None:
    """The institution a form or the API names by its key (or the one a correction carries
    over), None for none; refused when no active institution has that key."""
    if not isinstance(value, str | UUID):
        return value  # an Institution already, or None
    if not str(value):
        return None
    found = institution_by_uuid(uuid=value)
    if found is None or not found.active:
        raise ValidationFailed.single(
            "referral_to_institution", _("Choose the institution from the list.")
        )
    return found


def _my_assignment(actor: Actor, c: Consultation) -> ConsultationAssignment:
    assignment = live_assignment_of(actor, c)
    if assignment is None or assignment.status != AssignmentStatus.ACCEPTED:
        raise Conflict(_("Only an expert who accepted may write the opinion."), code="not_accepted")
    return assignment


def _part_for(c: Consultation, assignment: ConsultationAssignment, summary: bool) -> str:
    if c.kind != Kind.MDT:
        return OpinionPart.OPINION
    if summary and not assignment.lead:
        raise Conflict(_("Only the lead expert writes the MDT summary."), code="not_lead")
    return OpinionPart.SUMMARY if summary else OpinionPart.OPINION


def _current(c: Consultation, assignment: ConsultationAssignment, part: str) -> Opinion | None:
    """The newest version of the expert's part, given the consultation and the expert the
    step holds: hashing and answering it reads neither again."""
    found = (
        Opinion.objects.filter(consultation=c, expert=assignment.expert, part=part)
        .select_related("referral_to_institution")
        .order_by("-version")
        .first()
    )
    if found is not None:
        found.consultation, found.expert = c, assignment.expert
    return found


def consultation_opinion_draft_save(
    *, actor: Actor, consultation: Consultation, summary: bool = False, **values: Any
) -> Opinion:
    cleaned = _clean(values)
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.OPINION_SAVE)
        c = step.obj
        assignment = _my_assignment(actor, c)
        part = _part_for(c, assignment, summary)
        opinion = _current(c, assignment, part)
        if opinion is not None and opinion.is_signed:
            raise Conflict(_("This opinion is signed; correct it to change it."), code="signed")
        if opinion is None:
            opinion = Opinion(consultation=c, expert=assignment.expert, part=part)
        for name, value in cleaned.items():
            setattr(opinion, name, value)
        opinion.save()
        MACHINE.step_finish(step, notify=[], title=gettext_lazy("Opinion draft saved"))
        return opinion


def _secret_check(actor: Actor, password: str, code: str, purpose: str) -> None:
    """Only once the state, the role and the draft have passed: the answer to a wrong
    password then depends on the password alone, and each wrong one counts toward the
    account lock, as at sign-in (accounts/reauth.py). Never inside a transaction."""
    if not identity_confirm(actor=actor, password=password, code=code, purpose=purpose):
        field = "code" if code else "password"
        raise ValidationFailed.single(field, _("Re-enter your password or a current code to sign."))


def _require_complete(opinion: Opinion) -> None:
    missing: dict[str, list[Message]] = {
        name: [_("This is required before signing.")]
        for name in ("diagnosis", "recommendations")
        if not getattr(opinion, name)
    }
    if opinion.referral_advised and opinion.referral_to_institution_id is None:
        missing["referral_to_institution"] = [
            _("Choose the institution the patient should be referred to.")
        ]
    if missing:
        raise ValidationFailed(missing)


def _freeze(actor: Actor, opinion: Opinion) -> None:
    _require_complete(opinion)
    opinion.signed_at = timezone.now()
    opinion.signed_by_id = actor.user_id
    opinion.content_hash = opinion_hash(opinion)
    opinion.save()


def _parts_signed(c: Consultation) -> None:
    unsigned = [
        str(a.expert)
        for a in assignments_of(c)
        if a.status == AssignmentStatus.ACCEPTED
        and not Opinion.objects.filter(
            consultation=c, expert=a.expert, part=OpinionPart.OPINION, signed_at__isnull=False
        ).exists()
    ]
    if unsigned:
        raise Conflict(
            _("Every expert must sign their part first: %(names)s.")
            % {"names": "、".join(unsigned)},
            code="parts_unsigned",
        )


def _draft_to_sign(
    actor: Actor, step: Step[Consultation], summary: bool, cleaned: dict[str, Any]
) -> Opinion:
    """The draft with `cleaned` applied (not saved), once role, draft and content allow
    signing it in this step."""
    c = step.obj
    assignment = _my_assignment(actor, c)
    part = _part_for(c, assignment, summary)
    opinion = _current(c, assignment, part)
    if (opinion is None and not cleaned) or (opinion is not None and opinion.is_signed):
        raise Conflict(_("There is no draft to sign."), code="no_draft")
    if opinion is None:  # the editor signs what its form holds, saved or not
        opinion = Opinion(consultation=c, expert=assignment.expert, part=part)
    for name, value in cleaned.items():
        setattr(opinion, name, value)
    if step.action == Action.OPINION_SIGN and c.kind == Kind.MDT:
        _parts_signed(c)
    _require_complete(opinion)
    return opinion


def consultation_opinion_sign(
    *,
    actor: Actor,
    consultation: Consultation,
    password: str = "",
    code: str = "",
    summary: bool = False,
    **values: Any,
) -> Opinion:
    """Signs the actor's current draft, with `values` (the editor's form) saved into it in
    the same transaction. For MDT a part leaves the consultation in progress; the lead's
    summary (once every part is signed) finishes it. Whatever stops the signing (state,
    role, draft, the password) leaves the draft as it was."""
    cleaned = _clean(values)
    mdt_part = consultation.kind == Kind.MDT and not summary
    action = Action.OPINION_PART_SIGN if mdt_part else Action.OPINION_SIGN
    # The checks first, on the consultation as read and with no lock held: a step that
    # cannot happen asks for no password, and the password is checked holding nothing.
    checked = MACHINE.step_check(actor=actor, obj=consultation, action=action)
    draft = _draft_to_sign(actor, checked, summary, cleaned)
    _secret_check(actor, password, code, "opinion.sign")
    with transaction.atomic():
        step = MACHINE.step_begin(actor=actor, obj=consultation, action=action)
        c = step.obj
        if unchanged_since(c, consultation):
            # No step since the checks: the draft and the assignments read then still hold.
            opinion = draft
            opinion.consultation = c
        else:  # someone acted meanwhile: the same checks again, on the locked row
            opinion = _draft_to_sign(actor, step, summary, cleaned)
        _freeze(actor, opinion)
        step.detail = {"opinion": str(opinion.uuid), "hash": opinion.content_hash}
        told = coordinator_ids(c) + (expert_ids(c) if mdt_part else requester_ids(c))
        MACHINE.step_finish(step, notify=told, title=gettext_lazy("Opinion signed"))
        if not mdt_part:
            opinion_file_later(actor, opinion)
        return opinion


def _to_correct(
    actor: Actor, consultation: Consultation, summary: bool, reason: str, cleaned: dict[str, Any]
) -> tuple[Step[Consultation], Opinion]:
    """Call inside transaction.atomic(): the step and the new version (not saved), once
    state, role and content allow the correction."""
    step = MACHINE.step_begin(actor=actor, obj=consultation, action=Action.OPINION_CORRECT)
    c = step.obj
    assignment = _my_assignment(actor, c)
    part = _part_for(c, assignment, summary)
    old = _current(c, assignment, part)
    if old is None or not old.is_signed:
        raise Conflict(_("Only a signed opinion is corrected."), code="not_signed")
    top = Opinion.objects.filter(consultation=c, expert=assignment.expert, part=part)
    version = (top.aggregate(v=Max("version"))["v"] or 0) + 1
    new = Opinion(
        consultation=c,
        expert=assignment.expert,
        part=part,
        version=version,
        supersedes=old,
        correction_reason=reason,
        **{name: getattr(old, name) for name in CONTENT_FIELDS},
    )
    for name, value in cleaned.items():
        setattr(new, name, value)
    _require_complete(new)
    return step, new


def consultation_opinion_correct(
    *,
    actor: Actor,
    consultation: Consultation,
    reason: str,
    password: str = "",
    code: str = "",
    summary: bool = False,
    **values: Any,
) -> Opinion:
    """A new signed version that supersedes the last; the old one stays readable."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.single("reason", _("Give the reason for the correction."))
    cleaned = _clean(values)
    with transaction.atomic():  # the checks only; the row lock ends before the password
        _to_correct(actor, consultation, summary, reason, cleaned)
    _secret_check(actor, password, code, "opinion.correct")
    with transaction.atomic():
        step, new = _to_correct(actor, consultation, summary, reason, cleaned)
        c = step.obj
        _freeze(actor, new)
        step.reason = reason
        step.detail = {"opinion": str(new.uuid), "version": new.version, "hash": new.content_hash}
        MACHINE.step_finish(
            step,
            notify=requester_ids(c) + coordinator_ids(c),
            title=gettext_lazy("Opinion corrected"),
        )
        opinion_file_later(actor, new)
        return new
