"""Registering an exchange gateway: the institution it writes as, and a name for it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xietong.core.pages import ServiceForm

from .fields import InstitutionField


class GatewayForm(ServiceForm):
    institution = InstitutionField(
        help_text=_("The gateway writes only as this institution: its MRNs, its codes.")
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("How the hospital's IT knows the machine, e.g. 住院部前置机."),
    )
