"""Every transition of a consultation, one service each, and what a person may do now."""

from ._core import consultation_actions, consultation_held
from .assignments import (
    consultation_expert_accept,
    consultation_expert_decline,
    consultation_qc_pass,
    consultation_reschedule,
    consultation_schedule,
    consultation_start,
    consultation_triage_assign,
)
from .attachments import consultation_attach, consultation_create_with_attachments
from .opinions import (
    consultation_opinion_correct,
    consultation_opinion_draft_save,
    consultation_opinion_sign,
)
from .requests import (
    consultation_acknowledge,
    consultation_cancel,
    consultation_create,
    consultation_qc_return,
    consultation_resubmit,
    consultation_submit,
    consultation_update,
    missing_parts,
)
from .studies import consultation_studies_set

__all__ = [
    "consultation_acknowledge",
    "consultation_actions",
    "consultation_attach",
    "consultation_cancel",
    "consultation_create",
    "consultation_create_with_attachments",
    "consultation_expert_accept",
    "consultation_expert_decline",
    "consultation_held",
    "consultation_opinion_correct",
    "consultation_opinion_draft_save",
    "consultation_opinion_sign",
    "consultation_qc_pass",
    "consultation_qc_return",
    "consultation_reschedule",
    "consultation_resubmit",
    "consultation_schedule",
    "consultation_start",
    "consultation_studies_set",
    "consultation_submit",
    "consultation_triage_assign",
    "consultation_update",
    "missing_parts",
]
