from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "xietong.patients"
    label = "patients"
    verbose_name = _("Patients")

    def ready(self) -> None:
        from xietong.core.audit_vocabulary import audit_vocabulary_register
        from xietong.core.home import home_card_register
        from xietong.core.nav import NavItem, nav_register
        from xietong.core.selectors import audit_patient_resolver_register
        from xietong.core.ui import status_tones_register

        from .access import VIEW_ROLES
        from .audit_events import AUDIT_EVENTS
        from .cards import patient_cards
        from .selectors import patient_internal_id

        nav_register(
            NavItem(_("Patients"), "patients:search", roles=VIEW_ROLES, order=20, icon="people")
        )
        # A consent is in force or withdrawn.
        status_tones_register({"active": "done", "inactive": "stop"})
        home_card_register(patient_cards)
        # Auditors search the log by the patient UUID they see in addresses.
        audit_patient_resolver_register(patient_internal_id)
        audit_vocabulary_register(AUDIT_EVENTS)
