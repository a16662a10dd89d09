from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdministrationConfig(AppConfig):
    """The platform's own administration pages (/manage/): people, their memberships and
    the roles waiting for a second administrator. Django's /admin/ stays for developers."""

    name = "xietong.administration"
    label = "administration"
    verbose_name = _("Administration")

    def ready(self) -> None:
        from xietong.accounts.selectors import MANAGER_ROLES, memberships_awaiting_count
        from xietong.core.nav import NavItem, nav_register
        from xietong.core.ui import status_tones_register

        status_tones_register({"account_active": "done", "account_off": "stop"})
        roles = frozenset(str(r) for r in MANAGER_ROLES)
        nav_register(
            NavItem(_("People"), "administration:people", roles=roles, order=70, icon="people"),
            NavItem(
                _("Role approvals"),
                "administration:approvals",
                roles=roles,
                order=71,
                icon="person-check",
                counter=memberships_awaiting_count,
            ),
        )
