"""The referrals app's audit words (core/audit_vocabulary). Every step of the transition
table is written as `referral.<action>`, so the table is the declaration."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from xietong.core.audit_vocabulary import AuditVocabulary

from .workflow import ACTION_LABELS

_REFERRAL = _("Referral")

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "referral.create": _("Referral requested"),
        "referral.read": _("Referral opened"),
        "referral.green_channel_overdue": _("Green-channel referral not acknowledged in time"),
        "service_request.search": _("Consultations or referrals listed"),
        **{
            f"referral.{action}": format_lazy("{}: {}", _REFERRAL, label)
            for action, label in ACTION_LABELS.items()
        },
    },
    resource_types={
        "Referral": _REFERRAL,
        "ServiceRequest": _("Consultation or referral"),
    },
)
