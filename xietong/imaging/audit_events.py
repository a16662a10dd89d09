"""The imaging app's audit words (core/audit_vocabulary)."""

from django.utils.translation import gettext_lazy as _

from xietong.core.audit_vocabulary import AuditVocabulary

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "imaging_study.store": _("Imaging instances stored"),
        "imaging_study.read": _("Imaging study opened"),
        "imaging_study.search": _("Imaging studies searched"),
        "imaging_study.link": _("Imaging study linked to a patient"),
        "imaging_study.unlink": _("Imaging study unlinked from the wrong patient"),
    },
    resource_types={"ImagingStudy": _("Imaging study")},
)
