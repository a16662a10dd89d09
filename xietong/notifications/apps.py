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
        from xietong.core.ui import status_tones_register

        from .access_alerts import on_break_glass
        from .selectors import unread_count_for
        from .views import bell

        header_widget_register(bell, order=10)
        event_subscribe("patient.break_glass")(on_break_glass)
        nav_register(
            NavItem(
                _("Notifications"),
                "notifications:list",
                order=70,
                icon="bell",
                counter=unread_count_for,
            ),
            NavItem(
                _("Outbox"),
                "notifications:outbox",
                roles=frozenset({"platform_admin"}),
                order=91,
                icon="send",
            ),
        )
        # The outbox's messages (the notifications themselves are read or not); one kept
        # for want of a gateway reached nobody.
        status_tones_register({"pending": "wait", "sent": "done", "kept": "stop", "failed": "bad"})
