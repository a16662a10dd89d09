from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "xietong.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from xietong.core.events import event_subscribe
        from xietong.core.header import header_widget_register
        from xietong.core.nav import NavItem, nav_register

        from .access_alerts import on_break_glass
        from .views import bell

        header_widget_register(bell, order=10)
        event_subscribe("patient.break_glass")(on_break_glass)
        nav_register(
            NavItem(
                _("Outbox"), "notifications:outbox", roles=frozenset({"platform_admin"}), order=90
            )
        )
