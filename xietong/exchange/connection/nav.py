"""The connection page in the navigation of those who may open it, and its state colours."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xietong.core.administrators import PLATFORM_ADMIN
from xietong.core.nav import NavItem, nav_register
from xietong.core.ui import status_tones_register


def connection_nav_register() -> None:
    # The platform administrator and the health authorities' supervisors (their region).
    nav_register(
        NavItem(
            _("Connection progress"), "exchange_connection:index",
            roles=frozenset({PLATFORM_ADMIN, "supervisor"}), order=60, icon="hdd-network",
        )
    )  # fmt: skip
    status_tones_register(
        {
            "gateway_connected": "done",
            "gateway_late": "wait",
            "gateway_silent": "bad",
            "gateway_revoked": "stop",
        }
    )
