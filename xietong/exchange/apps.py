from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "xietong.exchange"
    label = "exchange"
    verbose_name = _("Data exchange")

    def ready(self) -> None:
        from xietong.core.audit_vocabulary import audit_vocabulary_register
        from xietong.patients.sections import patient_section_register

        from .audit_events import AUDIT_EVENTS
        from .connection.nav import connection_nav_register
        from .connection.tasks import closed_days_job_register
        from .ehr_section import ehr_section
        from .outgoing.tasks import periodic_jobs_register
        from .reads import fhir_readers_register

        audit_vocabulary_register(AUDIT_EVENTS)
        # The way from the patient's page to their health record (居民健康档案).
        patient_section_register(ehr_section)
        # Resources hospitals pushed are read through the same /fhir/R4/ surface as the
        # workflow resources (xietong/fhir/registry.py).
        fhir_readers_register()
        periodic_jobs_register()  # pushes to hospitals: the sweep of what is due
        connection_nav_register()
        # The connection page's counts of days that are over (docs/adr/0031).
        closed_days_job_register()
