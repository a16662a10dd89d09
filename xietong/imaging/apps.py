from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImagingConfig(AppConfig):
    name = "xietong.imaging"
    label = "imaging"
    verbose_name = _("Imaging")

    def ready(self) -> None:
        from xietong.core.audit_vocabulary import audit_vocabulary_register

        from .audit_events import AUDIT_EVENTS

        audit_vocabulary_register(AUDIT_EVENTS)
