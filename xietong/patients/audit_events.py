"""The patients app's audit words (core/audit_vocabulary)."""

from django.utils.translation import gettext_lazy as _

from xietong.core.audit_vocabulary import AuditVocabulary

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "patient.read": _("Patient record opened"),
        "patient.search": _("Patients searched or listed"),
        "patient.create": _("Patient registered"),
        "patient.update": _("Patient details changed"),
        "patient.identity_conflict": _("Patient identity conflict"),
        "consent.read": _("Consent opened"),
        "consent.create": _("Consent recorded"),
        "consent.update": _("Consent withdrawn or changed"),
        "access.break_glass": _("Emergency access (break-glass)"),
        "access.grant": _("Access to a patient granted"),
        "access.revoke": _("Access to a patient revoked"),
        "access.end": _("Access to a patient ended"),
    },
    resource_types={"Patient": _("Patient"), "Consent": _("Consent")},
)
