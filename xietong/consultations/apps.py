from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "xietong.consultations"
    label = "consultations"
    verbose_name = _("Consultations")

    def ready(self) -> None:
        from .chat import chat_policy_register
        from .fhir_readers import fhir_readers_register

        fhir_readers_register()

        # Who may read and write a consultation's chat is who may see the consultation.
        chat_policy_register()
        __import__("xietong.consultations.video", fromlist=["*"]).video_policy_register()
