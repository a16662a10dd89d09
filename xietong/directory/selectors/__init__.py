"""Reads of the directory: the region tree, institutions, their departments and experts,
the expert library and who serves whom.

The directory holds no patient data and every signed-in user may browse all of it, so
these selectors take no actor (later apps call `expert_search` and
`collaboration_providers_for` from their own, actor-scoped services). Inactive institutions
and experts who do not accept requests are left out of what people browse."""

from __future__ import annotations

from ._common import level_rank, title_rank
from .diagnoses import diagnosis_code_get, diagnosis_code_search
from .dicom import dicom_node_for, dicom_node_managed, dicom_nodes_managed
from .experts import (
    ExpertPage,
    active_expert_by_practitioner,
    expert_search,
    expert_search_page,
    expert_search_queryset,
    experts_by_practitioner,
)
from .institutions import (
    DepartmentSummary,
    InstitutionLinks,
    LinkGroup,
    collaboration_clients_of,
    collaboration_link_exists,
    collaboration_providers_for,
    department_by_code,
    departments,
    get_institution,
    institution_by_code,
    institution_by_id,
    institution_by_uuid,
    institution_departments,
    institution_experts,
    institution_level_counts,
    institution_links,
    institutions_in_region,
    practitioner_by_uuid,
    serving_provider_for,
)
from .managed import (
    collaboration_link_by_keys,
    collaboration_links_managed,
    institutions_managed,
    practitioner_managed,
    practitioners_managed,
)
from .regions import (
    get_region,
    region_breadcrumbs,
    region_by_code,
    region_children,
    region_institution_counts,
    region_search,
)

__all__ = [
    "DepartmentSummary",
    "ExpertPage",
    "InstitutionLinks",
    "LinkGroup",
    "active_expert_by_practitioner",
    "collaboration_clients_of",
    "collaboration_link_by_keys",
    "collaboration_link_exists",
    "collaboration_links_managed",
    "collaboration_providers_for",
    "department_by_code",
    "departments",
    "diagnosis_code_get",
    "diagnosis_code_search",
    "dicom_node_for",
    "dicom_node_managed",
    "dicom_nodes_managed",
    "expert_search",
    "expert_search_page",
    "expert_search_queryset",
    "experts_by_practitioner",
    "get_institution",
    "get_region",
    "institution_by_code",
    "institution_by_id",
    "institution_by_uuid",
    "institution_departments",
    "institution_experts",
    "institution_level_counts",
    "institution_links",
    "institutions_in_region",
    "institutions_managed",
    "level_rank",
    "practitioner_by_uuid",
    "practitioner_managed",
    "practitioners_managed",
    "region_breadcrumbs",
    "region_by_code",
    "region_children",
    "region_institution_counts",
    "region_search",
    "serving_provider_for",
    "title_rank",
]
