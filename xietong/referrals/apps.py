from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The colour of each status on every list and badge (core/ui.py says what each tone means).
STATUS_TONES = {
    "requested": "new",  # arrived at the desk, nobody has answered
    "proposed": "wait",  # the referring doctor is to answer
    "accepted": "act",  # a place is kept, the patient is on the way
    "declined": "bad",
    "arrived": "act",
    "no_show": "bad",
    "reported": "act",  # the referring doctor decides what follows
    "treated": "act",
    "down_requested": "wait",  # the lower institution is to accept
    "follow_up": "act",
    "closed": "done",
    "cancelled": "stop",
}


class ReferralsConfig(AppConfig):
    name = "xietong.referrals"
    label = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from xietong.consultations.panels import workspace_panel_register
        from xietong.core.audit_vocabulary import audit_vocabulary_register
        from xietong.core.home import home_card_register
        from xietong.core.nav import NavItem, nav_register
        from xietong.core.ui import status_tones_register
        from xietong.patients.sections import patient_section_register

        from .access import REFER_ROLES
        from .audit_events import AUDIT_EVENTS
        from .fhir_readers import fhir_readers_register
        from .selectors import incoming_waiting_count, referrer_waiting_count
        from .services._bookings import booking_subject_register
        from .sharing import share_reader_register_referrals
        from .tasks import periodic_jobs_register
        from .views.cards import referral_cards
        from .views.consultation_panel import referrals_panel
        from .views.patient_section import referrals_section
        from .workflow import DESK_ROLES

        fhir_readers_register()
        # The plan reaches the lower hospital through its gateway (ADR 27).
        __import__("xietong.referrals.fhir_push", fromlist=["*"]).push_sources_register()
        # A referral's booking changes through the referral only, never directly.
        booking_subject_register()
        # The documents its work shares with the institutions taking part (ADR 13).
        share_reader_register_referrals()
        periodic_jobs_register()  # the green channel's acknowledgement clock
        nav_register(
            NavItem(
                _("Referrals"),
                "referrals:outgoing",
                roles=REFER_ROLES,
                order=35,
                icon="arrow-up-right-square",
                counter=lambda actor: referrer_waiting_count(actor=actor),
            ),
            NavItem(
                _("Incoming referrals"),
                "referrals:incoming",
                roles=DESK_ROLES,
                order=36,
                icon="box-arrow-in-down-right",
                counter=lambda actor: incoming_waiting_count(actor=actor),
            ),
        )
        status_tones_register(STATUS_TONES)
        home_card_register(referral_cards)
        # The "refer the patient" button and the patient's referrals, on their page.
        patient_section_register(referrals_section)
        # The referrals a consultation led to, on its workspace (linked both ways).
        workspace_panel_register(referrals_panel)
        audit_vocabulary_register(AUDIT_EVENTS)
