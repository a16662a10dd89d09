"""The reading workflow's audit words (core/audit_vocabulary). Every step of the transition
table is written as `imaging_reading.<action>` (the machine registers those)."""

from django.utils.translation import gettext_lazy as _

from xietong.core.audit_vocabulary import AuditVocabulary

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "imaging_reading.create": _("Study sent to be read"),
        "imaging_reading.read": _("Reading request opened"),
        "imaging_reading.search": _("Reading worklist shown"),
        "imaging_report.read": _("Imaging report downloaded"),
        "imaging_report.search": _("Imaging reports searched"),
    },
    resource_types={"ImagingReport": _("Imaging report")},
)
