from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Slots and bookings as the schedule page colours them (core/ui.py says what each tone means).
STATUS_TONES = {
    "free": "done",  # a place can be booked
    "busy": "wait",  # full
    "busy-unavailable": "stop",
    "entered-in-error": "stop",
    "booked": "wait",
    "arrived": "act",
    "fulfilled": "done",
    "cancelled": "stop",
    "noshow": "bad",
}


class SchedulingConfig(AppConfig):
    name = "xietong.scheduling"
    label = "scheduling"
    verbose_name = _("Scheduling")

    def ready(self) -> None:
        from xietong.core.audit_vocabulary import audit_vocabulary_register
        from xietong.core.nav import NavItem, nav_register
        from xietong.core.ui import status_tones_register

        from .access import MANAGE_ROLES
        from .audit_events import AUDIT_EVENTS

        nav_register(
            NavItem(
                _("Schedules"),
                "scheduling:schedules",
                roles=MANAGE_ROLES,
                order=40,
                icon="calendar3",
            )
        )
        status_tones_register(STATUS_TONES)
        audit_vocabulary_register(AUDIT_EVENTS)
