from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImagingConfig(AppConfig):
    name = "xietong.imaging"
    label = "imaging"
    verbose_name = _("Imaging")

    def ready(self) -> None:
        from xietong.core.audit_vocabulary import audit_vocabulary_register
        from xietong.core.events import event_subscribe
        from xietong.core.home import home_card_register
        from xietong.core.nav import NavItem, nav_register
        from xietong.exchange.ehr.entries import ehr_source_register
        from xietong.patients.sections import patient_section_register

        from .access import RECONCILE_ROLES
        from .audit_events import AUDIT_EVENTS
        from .ehr import imaging_ehr_entries
        from .reading import machine as _reading_machine  # noqa: F401 (registers its words)
        from .reading.audit_events import AUDIT_EVENTS as READING_AUDIT_EVENTS
        from .reading.cards import reading_cards
        from .reading.consumers import worklist_events_register
        from .reading.fhir import fhir_readers_register as reading_fhir_register
        from .reading.nav import reading_nav_register
        from .reading.sharing import reading_studies_shared
        from .sections import imaging_section
        from .services.rematch import patient_became_known
        from .sharing import study_share_register
        from .teaching.access import TEACHING_NAV_ROLES
        from .teaching.audit_events import AUDIT_EVENTS as TEACHING_AUDIT_EVENTS

        audit_vocabulary_register(AUDIT_EVENTS)
        audit_vocabulary_register(TEACHING_AUDIT_EVENTS)
        audit_vocabulary_register(READING_AUDIT_EVENTS)
        # A signed report reaches the requesting hospital through its gateway (ADR 27).
        __import__("xietong.imaging.reading.fhir_push", fromlist=["*"]).push_sources_register()
        # The reading centre reads the studies it is asked to read.
        study_share_register(reading_studies_shared)
        reading_nav_register()
        # The centre's open worklists refresh when a request arrives or changes.
        worklist_events_register()
        home_card_register(reading_cards)
        # The report as DiagnosticReport and its study as ImagingStudy under /fhir/R4/.
        reading_fhir_register()
        # The patient's studies on their page, between the records and the consultations.
        patient_section_register(imaging_section)
        # And on the patient's health record, among what the hospitals sent.
        ehr_source_register("imaging", imaging_ehr_entries)
        # A study that waited for its patient is linked once the patient is registered or
        # given the number the study carries.
        event_subscribe("patient.registered")(patient_became_known)
        event_subscribe("patient.identifier_added")(patient_became_known)
        nav_register(
            NavItem(
                _("Studies to reconcile"),
                "imaging:reconcile",
                roles=RECONCILE_ROLES,
                order=45,
                icon="images",
            )
        )
        nav_register(
            NavItem(
                _("Teaching files"),
                "imaging:teaching_list",
                roles=TEACHING_NAV_ROLES,
                order=85,
                icon="mortarboard",
            )
        )
