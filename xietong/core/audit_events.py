"""Core's audit words: reading and verifying the log, and changes made in Django's admin (whose
resource type is the changed model's name, see audit_vocabulary.audit_model_resource_type)."""

from django.utils.translation import gettext_lazy as _

from .audit_vocabulary import AuditVocabulary

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "audit.search": _("Audit log searched"),
        "audit.verify": _("Audit chain verified"),
        "admin.create": _("Created in the admin site"),
        "admin.update": _("Changed in the admin site"),
        "admin.delete": _("Deleted in the admin site"),
    },
    resource_types={"AuditEvent": _("Audit event")},
)
