from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "xietong.scheduling"
    label = "scheduling"
    verbose_name = _("Scheduling")

    def ready(self) -> None:
        from xietong.core.audit_vocabulary import audit_vocabulary_register
        from xietong.core.nav import NavItem, nav_register

        from .access import MANAGE_ROLES
        from .audit_events import AUDIT_EVENTS

        nav_register(NavItem(_("Schedules"), "scheduling:schedules", roles=MANAGE_ROLES, order=40))
        audit_vocabulary_register(AUDIT_EVENTS)
