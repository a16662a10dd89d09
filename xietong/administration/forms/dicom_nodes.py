"""The DICOM nodes' forms: the list's filters, and a node. The directory's service checks
what they accept again (directory/services/dicom_nodes.py): an AE title the standard does
not allow, one registered already and an address that is none are said beside the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xietong.core.pages import ServiceForm
from xietong.directory.dicom import addresses_split

from .fields import InstitutionField
from .filters import ListFilterForm
from .institutions import ACTIVE_CHOICES


class DicomNodeFilterForm(ListFilterForm):
    q = forms.CharField(
        label=_("AE title, note or institution"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    institution = InstitutionField(required=False)
    active = forms.ChoiceField(label=_("In use"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args: Any, pick_institution: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not pick_institution:  # an institution's administrator sees their own
            del self.fields["institution"]


class DicomNodeForm(ServiceForm):
    # The lengths and characters allowed are the service's to say, beside the field.
    ae_title = forms.CharField(
        label=_("AE title"),
        max_length=64,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "The calling AE title the PACS or modality sends with, as set up on it "
            "(up to 16 Latin letters, digits or signs; upper and lower case differ)."
        ),
    )
    addresses = forms.CharField(
        label=_("Source addresses"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "The IP addresses or networks it connects from, one a line (10.2.3.4 or "
            "10.2.0.0/16). Empty: any address."
        ),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=200,
        help_text=_("Which machine it is, e.g. 放射科PACS or CT室 GE Revolution."),
    )

    def __init__(self, *args: Any, institution: Any | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_institution = institution
        if institution is None:
            self.fields["institution"] = InstitutionField()
            self.order_fields(["institution", "ae_title"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.fixed_institution is not None:
            data["institution"] = self.fixed_institution
        return data

    def service_values(self) -> dict[str, Any]:
        """The node's values as the services take them (after is_valid())."""
        data = self.cleaned_data
        return {
            "institution": data.get("institution"),
            "ae_title": data["ae_title"],
            "addresses": addresses_split(data.get("addresses") or ""),
            "note": data.get("note") or "",
        }


def dicom_node_initial(node: Any) -> dict[str, Any]:
    """A node as the form shows it."""
    return {
        "institution": node.institution,
        "ae_title": node.ae_title,
        "addresses": "\n".join(node.addresses),
        "note": node.note,
    }
