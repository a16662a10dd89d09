"""The collaboration links' forms: the list's filters and a new link. The directory's
service checks a new link again (directory/services/links.py): a link to itself and one
that exists already are said beside the client."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xietong.core.pages import ServiceForm
from xietong.core.widgets import DateInput
from xietong.directory.choices import Service

from .fields import InstitutionField
from .filters import ListFilterForm
from .institutions import ACTIVE_CHOICES


class LinkFilterForm(ListFilterForm):
    columns = {"institution": "col-12 col-lg-5"}
    column_default = "col-6 col-lg-3"
    searches = False

    institution = InstitutionField(
        required=False, help_text=_("Links in which it provides or is served.")
    )
    service = forms.ChoiceField(
        label=_("Service"), required=False, choices=[("", _("any service")), *Service.choices]
    )
    active = forms.ChoiceField(label=_("In use"), required=False, choices=ACTIVE_CHOICES)


class LinkAddForm(ServiceForm):
    provider = InstitutionField(
        label=_("Provider"), help_text=_("The institution that provides the service.")
    )
    client = InstitutionField(
        label=_("Client"),
        help_text=_("The institution it serves: its requests go to the provider."),
    )
    service = forms.ChoiceField(label=_("Service"), choices=[("", "—"), *Service.choices])
    since = forms.DateField(
        label=_("Since"),
        required=False,
        widget=DateInput(),
        help_text=_("When the agreement began; leave empty when unknown."),
    )
