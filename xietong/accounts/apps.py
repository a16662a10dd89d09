from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "xietong.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from xietong.core.audit_vocabulary import audit_vocabulary_register
        from xietong.core.home import home_card_register
        from xietong.core.nav import NavItem, nav_register
        from xietong.core.ui import status_tones_register

        from . import signals
        from .audit_events import AUDIT_EVENTS
        from .home import role_approvals_card, two_factor_card
        from .sockets import socket_actors_connect

        signals.connect()
        socket_actors_connect()
        nav_register(NavItem(_("My account"), "accounts:account", order=90, icon="person-gear"))
        # An API token's state on the account page.
        status_tones_register({"active": "done", "expired": "stop", "revoked": "stop"})
        home_card_register(two_factor_card)
        home_card_register(role_approvals_card)
        audit_vocabulary_register(AUDIT_EVENTS)
