"""What the administration's views share: who may open them, a list's query without its
page, and the directory's rights of the acting administrator's account."""

from __future__ import annotations

from dataclasses import dataclass

from xietong.accounts import selectors as accounts
from xietong.core.actor import Actor
from xietong.core.http import ActorRequest
from xietong.directory import access as directory_access

# Administrators only (403 for anyone else); what each may see and change is scoped in the
# selectors and services.
MANAGERS = accounts.manages_people
# Institutions and collaboration links: platform administrators only (403 for anyone else,
# an institution's administrator included).
PLATFORM_MANAGERS = directory_access.platform_administers
PER_PAGE = 25


def query_without_page(request: ActorRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@dataclass(frozen=True)
class DirectoryRights:
    """What this administrator's account may change in the directory (the permissions its
    services ask for, read once)."""

    held: frozenset[str]

    @classmethod
    def of(cls, actor: Actor) -> DirectoryRights:
        return cls(directory_access.directory_permissions(actor))

    def _has(self, permission: str) -> bool:
        return permission in self.held

    @property
    def add_institution(self) -> bool:
        return self._has(directory_access.INSTITUTION_ADD)

    @property
    def change_institution(self) -> bool:
        return self._has(directory_access.INSTITUTION_CHANGE)

    @property
    def add_practitioner(self) -> bool:
        return self._has(directory_access.PRACTITIONER_ADD)

    @property
    def change_practitioner(self) -> bool:
        return self._has(directory_access.PRACTITIONER_CHANGE)

    @property
    def add_expert(self) -> bool:
        return self._has(directory_access.EXPERT_ADD)

    @property
    def change_expert(self) -> bool:
        return self._has(directory_access.EXPERT_CHANGE)

    @property
    def add_link(self) -> bool:
        return self._has(directory_access.LINK_ADD)

    @property
    def change_link(self) -> bool:
        return self._has(directory_access.LINK_CHANGE)

    @property
    def add_dicom_node(self) -> bool:
        return self._has(directory_access.DICOM_NODE_ADD)

    @property
    def change_dicom_node(self) -> bool:
        return self._has(directory_access.DICOM_NODE_CHANGE)
