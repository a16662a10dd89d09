from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "xietong.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .access import AUDIT_READER_ROLES
        from .audit_events import AUDIT_EVENTS
        from .audit_vocabulary import audit_vocabulary_register
        from .cards import refused_attempts_card
        from .home import home_card_register
        from .nav import NavItem, nav_register
        from .tasks import periodic_jobs_register
        from .tasks_failed import failed_tasks_card
        from .tasks_lease import task_leases_register

        nav_register(NavItem(_("Home"), "home", order=0, icon="house"))
        nav_register(
            NavItem(
                _("Audit log"),
                "audit:log",
                roles=AUDIT_READER_ROLES,
                order=90,
                icon="shield-check",
            )
        )
        home_card_register(refused_attempts_card)
        # The clock looks for background tasks whose worker died (ADR 11); admins see
        # the tasks that failed.
        home_card_register(failed_tasks_card)
        task_leases_register()
        periodic_jobs_register()
        audit_vocabulary_register(AUDIT_EVENTS)
