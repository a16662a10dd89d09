from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "xietong.records"
    label = "records"
    verbose_name = _("Records")

    def ready(self) -> None:
        from xietong.patients.sections import patient_section_register

        from .panels import records_section

        # No menu entry: records are reached from the patient's page and the workflows.
        patient_section_register(records_section)
