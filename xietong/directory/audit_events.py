"""The directory's audit words (core/audit_vocabulary). The resource types are the models'
names, as the admin site records them (core/admin_audit.py), so one filter finds a row's
changes from either."""

from django.utils.translation import gettext_lazy as _

from xietong.core.audit_vocabulary import AuditVocabulary

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "institution.create": _("Institution added"),
        "institution.update": _("Institution changed"),
        "institution.deactivate": _("Institution deactivated"),
        "institution.reactivate": _("Institution reactivated"),
        "practitioner.create": _("Practitioner added"),
        "practitioner.update": _("Practitioner changed"),
        "expert.create": _("Expert profile added"),
        "expert.update": _("Expert profile changed"),
        "collaboration_link.create": _("Collaboration link added"),
        "collaboration_link.deactivate": _("Collaboration link deactivated"),
        "collaboration_link.reactivate": _("Collaboration link reactivated"),
        "dicom_node.create": _("DICOM node added"),
        "dicom_node.update": _("DICOM node changed"),
        "dicom_node.deactivate": _("DICOM node deactivated"),
        "dicom_node.reactivate": _("DICOM node reactivated"),
    },
    resource_types={
        "Institution": _("institution"),
        "Practitioner": _("practitioner"),
        "Expert": _("expert"),
        "CollaborationLink": _("collaboration link"),
        "DicomNode": _("DICOM node"),
    },
)
