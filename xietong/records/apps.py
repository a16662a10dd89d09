from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "xietong.records"
    label = "records"
    verbose_name = _("Records")

    def ready(self) -> None:
        from xietong.core.audit_vocabulary import audit_vocabulary_register
        from xietong.core.ui import status_tones_register
        from xietong.patients.sections import patient_section_register
        from xietong.patients.services.break_glass import record_holders_register

        from .audit_events import AUDIT_EVENTS
        from .panels import records_section
        from .selectors import document_holders

        # Emergency access tells every institution whose documents it opens.
        record_holders_register(document_holders)

        # No menu entry: records are reached from the patient's page and the workflows.
        patient_section_register(records_section)
        audit_vocabulary_register(AUDIT_EVENTS)
        # A document in force, replaced by a corrected version, or filed by mistake.
        status_tones_register({"current": "done", "superseded": "stop", "entered-in-error": "bad"})
