from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The colour of each status on lists, badges and the board (core/ui.py's tones): the
# consultation's own, then an expert's assignment's.
STATUS_TONES = {
    "draft": "stop",
    "submitted": "new",
    "returned": "bad",
    "triage": "wait",
    "assigned": "wait",
    "accepted": "act",
    "scheduled": "act",
    "in_progress": "act",
    "opinion_signed": "new",
    "completed": "done",
    "cancelled": "stop",
    "proposed": "wait",
    "declined": "bad",
}


class ConsultationsConfig(AppConfig):
    name = "xietong.consultations"
    label = "consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        from xietong.core.audit_vocabulary import audit_vocabulary_register
        from xietong.core.home import home_card_register
        from xietong.core.nav import NavItem, nav_register
        from xietong.core.ui import status_tones_register
        from xietong.patients.sections import patient_section_register

        from .access import CENTRE_ROLES, EXPERT_ROLES, REQUESTER_ROLES
        from .audit_events import AUDIT_EVENTS
        from .bookings import booking_subject_register
        from .chat import chat_policy_register
        from .fhir_readers import fhir_readers_register
        from .selectors import centre_waiting_count, queue_waiting_count, requests_waiting_count
        from .sharing import share_reader_register_consultations
        from .tasks import periodic_jobs_register
        from .views.cards import consultation_cards
        from .views.patient_section import consultations_section

        fhir_readers_register()
        # A signed opinion reaches the requesting hospital through its gateway (ADR 27).
        __import__("xietong.consultations.fhir_push", fromlist=["*"]).push_sources_register()
        # A consultation's booking changes through the consultation only, never directly.
        booking_subject_register()
        # The documents its work shares with the institutions taking part (ADR 13).
        share_reader_register_consultations()
        periodic_jobs_register()  # deadline checks, queued by the clock

        # Who may read and write a consultation's chat is who may see the consultation.
        chat_policy_register()
        __import__("xietong.consultations.video", fromlist=["*"]).video_policy_register()
        __import__("xietong.consultations.views.board", fromlist=["*"]).board_register()

        # Each worklist says how much waits for this person (one COUNT each).
        nav_register(
            NavItem(
                _("My requests"), "consultations:mine", roles=REQUESTER_ROLES, order=30,
                icon="send", counter=requests_waiting_count,
            ),
            NavItem(
                _("Centre inbox"), "consultations:inbox", roles=CENTRE_ROLES, order=31,
                icon="inbox", counter=centre_waiting_count,
            ),
            NavItem(
                _("My queue"), "consultations:queue", roles=EXPERT_ROLES, order=32,
                icon="list-check", counter=queue_waiting_count,
            ),
        )  # fmt: skip
        status_tones_register(STATUS_TONES)
        home_card_register(consultation_cards)
        # The "request a consultation" button and the patient's requests, on their page.
        patient_section_register(consultations_section)
        audit_vocabulary_register(AUDIT_EVENTS)
