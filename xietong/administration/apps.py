from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdministrationConfig(AppConfig):
    """The platform's own administration pages (/manage/): people, their memberships and
    the roles waiting for a second administrator; practitioners and their expert profiles;
    institutions and collaboration links. Django's /admin/ stays for developers."""

    name = "xietong.administration"
    label = "administration"
    verbose_name = _("Administration")

    def ready(self) -> None:
        from xietong.core.nav import nav_register
        from xietong.core.ui import status_tones_register

        from .areas import AREAS

        status_tones_register({"account_active": "done", "account_off": "stop"})
        # A directory row in use, or taken out of use (institutions, links, experts).
        status_tones_register({"row_active": "done", "row_off": "stop"})
        nav_register(*(area.nav_item() for area in AREAS))
