"""The reading workflow's entries in the navigation, with the numbers that wait."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xietong.core.nav import NavItem, nav_register

from .access import READER_ROLES, REQUESTER_ROLES
from .selectors import critical_unacknowledged_count, worklist_waiting_count


def reading_nav_register() -> None:
    nav_register(
        NavItem(
            _("Reading worklist"), "imaging:worklist", roles=READER_ROLES, order=33,
            icon="file-medical", counter=worklist_waiting_count,
        ),
        NavItem(
            _("Imaging reports"), "imaging:readings_mine", roles=REQUESTER_ROLES, order=34,
            icon="file-earmark-medical", counter=critical_unacknowledged_count,
        ),
    )  # fmt: skip
