"""Writes to the directory from the administration pages (institutions.py, practitioners.py,
links.py, dicom_nodes.py): each authorized by the account's model permissions and the
administrator's scope (access.py), validated whole, and audited in its transaction."""

from .dicom_nodes import (
    dicom_node_create,
    dicom_node_deactivate,
    dicom_node_reactivate,
    dicom_node_update,
)
from .institutions import (
    institution_create,
    institution_deactivate,
    institution_reactivate,
    institution_update,
)
from .links import (
    collaboration_link_create,
    collaboration_link_deactivate,
    collaboration_link_reactivate,
)
from .practitioners import (
    ExpertProfile,
    expert_profile_set,
    practitioner_create,
    practitioner_update,
)

__all__ = [
    "ExpertProfile",
    "collaboration_link_create",
    "collaboration_link_deactivate",
    "collaboration_link_reactivate",
    "dicom_node_create",
    "dicom_node_deactivate",
    "dicom_node_reactivate",
    "dicom_node_update",
    "expert_profile_set",
    "institution_create",
    "institution_deactivate",
    "institution_reactivate",
    "institution_update",
    "practitioner_create",
    "practitioner_update",
]
