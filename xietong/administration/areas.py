"""The administration's areas, declared once: the navigation registers them (apps.py) and
the /manage/ index lists them, each to the roles that may open it. People, approvals,
practitioners and DICOM nodes are for every administrator (an institution's within their
institution); institutions and collaboration links for platform administrators only."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.accounts.selectors import MANAGER_ROLES, memberships_awaiting_count
from xietong.core.actor import Actor
from xietong.core.administrators import PLATFORM_ADMIN
from xietong.core.nav import NavCounter, NavItem

ADMINISTRATORS = frozenset(str(r) for r in MANAGER_ROLES)
PLATFORM_ADMINISTRATORS = frozenset({PLATFORM_ADMIN})


@dataclass(frozen=True)
class Area:
    label: str | Promise
    url_name: str
    icon: str
    roles: frozenset[str]
    summary: str | Promise
    order: int
    counter: NavCounter | None = None

    def open_to(self, actor: Actor) -> bool:
        return actor.has_role(*self.roles)

    def nav_item(self) -> NavItem:
        return NavItem(
            self.label, self.url_name, roles=self.roles, order=self.order, icon=self.icon,
            counter=self.counter,
        )  # fmt: skip


AREAS: tuple[Area, ...] = (
    Area(
        _("People"), "administration:people", "people", ADMINISTRATORS,
        _("Accounts, what each person may do at each institution, temporary passwords."), 70,
    ),
    Area(
        _("Role approvals"), "administration:approvals", "person-check", ADMINISTRATORS,
        _("Clinical roles administrators gave themselves, waiting for a second one."), 71,
        counter=memberships_awaiting_count,
    ),
    Area(
        pgettext_lazy("administration", "Practitioners"), "administration:practitioners",
        "person-vcard", ADMINISTRATORS,
        _("Doctors and their profiles in the expert library: what each expert accepts."), 72,
    ),
    Area(
        pgettext_lazy("administration", "Institutions"), "administration:institutions",
        "hospital", PLATFORM_ADMINISTRATORS,
        _("The network's institutions: their codes, levels, regions and uplines."), 73,
    ),
    Area(
        pgettext_lazy("administration", "Collaboration links"), "administration:links",
        "diagram-3", PLATFORM_ADMINISTRATORS,
        _("Which institution serves which, for each service: where requests may go."), 74,
    ),
    Area(
        pgettext_lazy("administration", "DICOM nodes"), "administration:dicom_nodes",
        "pc-display", ADMINISTRATORS,
        _("The PACS and modalities that send studies by C-STORE: their AE titles and "
          "addresses. Any other is refused."), 75,
    ),
    Area(
        pgettext_lazy("administration", "Exchange gateways"), "administration:gateways",
        "hdd-network", PLATFORM_ADMINISTRATORS,
        _("Each hospital's front-end machine that pushes its HIS data: its secret, whether "
          "it is in use, and its last heartbeat."), 76,
    ),
)  # fmt: skip


def areas_open_to(actor: Actor) -> list[Area]:
    return [area for area in AREAS if area.open_to(actor)]
