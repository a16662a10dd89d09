"""The teaching files' audit words (core/audit_vocabulary)."""

from django.utils.translation import gettext_lazy as _

from xietong.core.audit_vocabulary import AuditVocabulary

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "teaching_file.make": _("Teaching file made from a study"),
        "teaching_file.read": _("Teaching file downloaded"),
    },
    resource_types={"TeachingFile": _("Teaching file")},
)
