from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "xietong.referrals"
    label = "referrals"
    verbose_name = _("Referrals")

    def ready(self) -> None:
        from .fhir_readers import fhir_readers_register

        fhir_readers_register()
