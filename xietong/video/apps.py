from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VideoConfig(AppConfig):
    name = "xietong.video"
    label = "video"
    verbose_name = _("Video")

    def ready(self) -> None:
        from xietong.core.audit_vocabulary import audit_vocabulary_register
        from xietong.core.events import event_subscribe
        from xietong.core.home import home_card_register
        from xietong.core.nav import NavItem, nav_register

        from . import tasks  # noqa: F401 (the conversion task's lease, before a worker runs it)
        from .audit_events import AUDIT_EVENTS
        from .cards import meeting_cards
        from .live import on_patient_access_revoked
        from .meetings import meeting_policy_register

        # Ad-hoc meetings are this app's own subject type.
        meeting_policy_register()
        # Someone who loses a patient may lose the rooms about them (ADR 7, as for chat).
        event_subscribe("patient.access_revoked")(on_patient_access_revoked)
        nav_register(NavItem(_("Video meetings"), "video:meetings", order=40, icon="camera-video"))
        audit_vocabulary_register(AUDIT_EVENTS)
        home_card_register(meeting_cards)
