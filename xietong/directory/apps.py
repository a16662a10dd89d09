from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "xietong.directory"
    label = "directory"
    verbose_name = _("Directory")

    def ready(self) -> None:
        from xietong.core.audit_vocabulary import audit_vocabulary_register
        from xietong.core.home import home_card_register
        from xietong.core.nav import NavItem, nav_register

        from .audit_events import AUDIT_EVENTS
        from .home import find_an_expert_card

        # The directory holds no patient data: everyone signed in may browse it.
        nav_register(
            NavItem(_("Institutions"), "directory:institutions", None, order=80, icon="building"),
            NavItem(_("Expert library"), "directory:experts", None, order=81, icon="person-badge"),
        )
        home_card_register(find_an_expert_card)
        audit_vocabulary_register(AUDIT_EVENTS)
