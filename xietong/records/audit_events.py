"""The records app's audit words (core/audit_vocabulary)."""

from django.utils.translation import gettext_lazy as _

from xietong.core.audit_vocabulary import AuditVocabulary

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "document_reference.read": _("Clinical document opened"),
        "document_reference.search": _("Clinical documents listed"),
        "document_reference.create": _("Clinical document uploaded"),
        "document_reference.update": _("Clinical document changed"),
    },
    resource_types={"DocumentReference": _("Clinical document")},
)
