"""The forms of the people pages. What they accept is checked again by the services
(accounts/people.py, accounts/memberships.py); their refusals land beside these fields."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xietong.accounts.selectors import CLINICAL_ROLE_VALUES, username_taken
from xietong.core.pages import ServiceForm

from .fields import InstitutionField
from .filters import ListFilterForm

Choices = list[tuple[str, str]]


def _role_groups(choices: Choices) -> list[tuple[Any, Choices]]:
    """The roles in two groups: those that open patients' data, and the others."""
    clinical = [(v, label) for v, label in choices if v in CLINICAL_ROLE_VALUES]
    other = [(v, label) for v, label in choices if v not in CLINICAL_ROLE_VALUES]
    groups = [(_("Open patients' data"), clinical), (_("Other roles"), other)]
    return [(name, group) for name, group in groups if group]


def _roles_field(
    choices: Choices, *, required: bool, explained: bool = True
) -> forms.MultipleChoiceField:
    """Roles as grouped checkboxes; `explained` adds what the groups mean (once a page)."""
    return forms.MultipleChoiceField(
        label=_("Roles"),
        choices=_role_groups(choices),
        required=required,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
        help_text=_(
            "The first group opens patients' data at the institution. Given to yourself, "
            "those roles wait for another administrator's approval."
        )
        if explained
        else "",
    )


def _password_fields(form: forms.Form) -> None:
    form.fields["password"] = forms.CharField(
        label=_("Temporary password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=" ".join(str(t) for t in password_validation.password_validators_help_texts()),
    )
    form.fields["password2"] = forms.CharField(
        label=_("Temporary password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Tell the person this password; they change it on their account page."),
    )


def _passwords_match(form: forms.Form, data: dict[str, Any]) -> None:
    first, second = data.get("password"), data.get("password2")
    if first and second and first != second:
        form.add_error("password2", _("The two passwords differ."))


class PeopleFilterForm(ListFilterForm):
    columns = {"role": "col-sm-6 col-lg-2"}
    column_default = "col-sm-6 col-lg-3"

    q = forms.CharField(
        label=_("Name, username or phone"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    institution = InstitutionField(required=False)
    role = forms.ChoiceField(label=_("Role"), required=False)

    def __init__(self, *args: Any, roles: Choices, pick_institution: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [("", _("any role")), *roles]
        if not pick_institution:  # an institution's administrator sees their own
            del self.fields["institution"]


class PersonAddForm(ServiceForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("The person signs in with it: letters, digits and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        max_length=60,
        help_text=_("As colleagues know the person; shown on timelines and messages."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args: Any, roles: Choices, institution: Any | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _password_fields(self)
        self.fixed_institution = institution
        if institution is None:
            self.fields["institution"] = InstitutionField(
                help_text=_("Where the person works; add more memberships on their page later.")
            )
        self.fields["roles"] = _roles_field(roles, required=True)

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"]).strip()
        if username_taken(username):
            raise forms.ValidationError(_("A person with this username already exists."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _passwords_match(self, data)
        if data.get("password") and not self.has_error("password2"):
            # The service checks again; said here, every problem shows at once.
            someone = SimpleNamespace(
                username=data.get("username", ""), email=data.get("email", ""),
                first_name="", last_name="",
            )  # fmt: skip
            try:
                password_validation.validate_password(data["password"], someone)  # type: ignore[arg-type]  # only its attributes are read
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        if self.fixed_institution is not None:
            data["institution"] = self.fixed_institution
        return data


class PersonDetailsForm(ServiceForm):
    display_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=60)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    active = forms.BooleanField(
        label=_("May sign in"),
        required=False,
        help_text=_("Switched off, the account keeps its history but cannot sign in."),
    )


class PasswordSetForm(ServiceForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _password_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _passwords_match(self, data)
        return data


class MembershipForm(ServiceForm):
    """One membership's roles and whether it is in use (prefixed by its institution)."""

    active = forms.BooleanField(label=_("In use"), required=False)

    def __init__(self, *args: Any, roles: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"] = _roles_field(roles, required=False, explained=False)
        self.order_fields(["roles", "active"])


class MembershipAddForm(ServiceForm):
    institution = InstitutionField()

    def __init__(self, *args: Any, roles: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roles"] = _roles_field(roles, required=True, explained=False)
