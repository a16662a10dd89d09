"""The consultations app's audit words (core/audit_vocabulary). Every step of the transition
table is written as `consultation.<action>`, so the table is the declaration."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from xietong.core.audit_vocabulary import AuditVocabulary

from .workflow import ACTION_LABELS

_CONSULTATION = _("Consultation")

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "consultation.create": _("Consultation requested"),
        "consultation.read": _("Consultation opened"),
        "consultation_opinion.read": _("Consultation opinion opened"),
        "service_request.search": _("Consultations or referrals listed"),
        **{
            f"consultation.{action}": format_lazy("{}: {}", _CONSULTATION, label)
            for action, label in ACTION_LABELS.items()
        },
    },
    resource_types={
        "Consultation": _CONSULTATION,
        "ConsultationOpinion": _("Consultation opinion"),
        "ServiceRequest": _("Consultation or referral"),
    },
)
