"""The exchange app's audit words (core/audit_vocabulary)."""

from django.utils.translation import gettext_lazy as _

from xietong.core.audit_vocabulary import AuditVocabulary

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "gateway.register": _("Exchange gateway registered"),
        "gateway.revoke": _("Exchange gateway revoked"),
        "gateway.secret_renew": _("Exchange gateway given a new secret"),
        "fhir_resource.create": _("FHIR resource received"),
        "fhir_resource.update": _("FHIR resource updated by its hospital"),
        "fhir_resource.read": _("FHIR resource read"),
        "fhir_resource.search": _("FHIR resources searched"),
        "outgoing_message.create": _("Message to a hospital's gateway queued"),
    },
    resource_types={
        "Gateway": _("Exchange gateway"),
        "FhirResource": _("FHIR resource"),
        "OutgoingMessage": _("Message to a hospital"),
    },
)
