"""Every transition of a referral, one service each, and what a person may do now."""

from ._core import referral_actions, referral_held
from .care import (
    referral_close,
    referral_down_accept,
    referral_down_decline,
    referral_down_refer,
    referral_follow_up_record,
    referral_report_upload,
    referral_treatment_summary,
)
from .desk import (
    booked_day_ahead,
    referral_accept,
    referral_acknowledge,
    referral_check_in,
    referral_decline,
    referral_mark_no_show,
    referral_propose,
)
from .requests import (
    referral_cancel,
    referral_create,
    referral_link_exists,
    referral_proposal_accept,
    referral_proposal_decline,
)

__all__ = [
    "booked_day_ahead",
    "referral_accept",
    "referral_acknowledge",
    "referral_actions",
    "referral_cancel",
    "referral_check_in",
    "referral_close",
    "referral_create",
    "referral_decline",
    "referral_down_accept",
    "referral_down_decline",
    "referral_down_refer",
    "referral_follow_up_record",
    "referral_held",
    "referral_link_exists",
    "referral_mark_no_show",
    "referral_proposal_accept",
    "referral_proposal_decline",
    "referral_propose",
    "referral_report_upload",
    "referral_treatment_summary",
]
