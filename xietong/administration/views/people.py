"""The people pages: people (search, add, one person's account and memberships) and the
roles waiting for a second administrator. Each view parses, calls a selector or one of
the accounts app's audited services, and renders; who may change what is decided there
(accounts/selectors.py: people_scope, account_governed_by, membership_governed_by)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xietong.accounts import memberships as membership_services
from xietong.accounts import people as people_services
from xietong.accounts import selectors as accounts
from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, back_to, posted, safe_next
from xietong.directory import selectors as directory

from ..forms.fields import institution_options
from ..forms.people import (
    MembershipAddForm,
    MembershipForm,
    PasswordSetForm,
    PeopleFilterForm,
    PersonAddForm,
    PersonDetailsForm,
)
from ._common import MANAGERS, query_without_page

if TYPE_CHECKING:
    from xietong.accounts.models import Membership, User

PEOPLE_PER_PAGE = 25


@dataclass(frozen=True)
class Rights:
    """What this administrator's account may change (the services' permissions)."""

    add_person: bool
    change_person: bool
    add_membership: bool
    change_membership: bool
    remove_membership: bool

    @classmethod
    def of(cls, actor: Actor) -> Rights:
        held = membership_services.admin_permissions(actor)
        return cls(
            add_person={"accounts.add_user", "accounts.add_membership"} <= held,
            change_person="accounts.change_user" in held,
            add_membership="accounts.add_membership" in held,
            change_membership="accounts.change_membership" in held,
            remove_membership="accounts.delete_membership" in held,
        )

    @property
    def any(self) -> bool:
        return self.add_person or self.change_person or self.change_membership


def _fixed_institution(actor: Actor) -> Any | None:
    """The institution an institution's administrator manages (None: they pick)."""
    scope = accounts.people_scope(actor)
    return None if scope is None else directory.institution_by_id(institution_id=scope)


@actor_view(allowed=MANAGERS)
def people(request: ActorRequest, actor: Actor) -> HttpResponse:
    scope = accounts.people_scope(actor)
    form = PeopleFilterForm(
        request.GET, roles=accounts.role_choices(), pick_institution=scope is None
    )
    filters: dict[str, Any] = {}
    if form.is_valid():
        chosen = form.cleaned_data.get("institution")
        filters = {
            "q": form.cleaned_data["q"],
            "institution_id": chosen.pk if chosen is not None else None,
            "role": form.cleaned_data["role"],
        }
    institution_options(form)
    found = accounts.people_search(actor=actor, **filters)
    page = Paginator(found, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "total": page.paginator.count,
        "query": query_without_page(request),
        "rights": Rights.of(actor),
        "scope_name": actor.institution_name if scope is not None else "",
        "filtered": any(filters.values()),
    }
    if getattr(request, "htmx", False):
        return render(request, "administration/_people_rows.html", context)
    return render(request, "administration/people.html", context)


@actor_view(allowed=MANAGERS)
@require_http_methods(["GET", "POST"])
def person_add(request: ActorRequest, actor: Actor) -> HttpResponse:
    rights = Rights.of(actor)
    if not rights.add_person:
        raise PermissionDenied(_("Your account may not change who has access."))
    fixed = _fixed_institution(actor)
    form = PersonAddForm(
        posted(request), roles=accounts.roles_grantable_by(actor), institution=fixed
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = people_services.person_create(
                actor=actor,
                username=data["username"],
                display_name=data["display_name"],
                phone=data["phone"],
                email=data["email"],
                password=data["password"],
                institution=data["institution"],
                roles=data["roles"],
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("%(name)s was added. Tell them their username and temporary password.")
                % {"name": person.display_name or person.username},
            )
            return redirect("administration:person", user_uuid=person.uuid)
    institution_options(form)
    return render(
        request, "administration/person_add.html", {"form": form, "fixed_institution": fixed}
    )


@dataclass
class MembershipRow:
    membership: Membership
    form: MembershipForm | None  # None: this administrator may not change it
    acting: bool  # the membership the administrator acts through
    may_decide: bool  # roles wait on it, and this administrator may approve them


def _membership_rows(
    actor: Actor, person: User, rights: Rights, posted_row: tuple[str, MembershipForm] | None
) -> list[MembershipRow]:
    roles = accounts.roles_grantable_by(actor)
    awaiting = {m.pk for m in accounts.memberships_awaiting_for(actor=actor).filter(user=person)}
    rows = []
    for m in person.memberships.all():
        governed = accounts.membership_governed_by(actor=actor, membership=m)
        form = None
        if governed and rights.change_membership:
            prefix = f"m{m.institution.uuid.hex[:12]}"
            if posted_row is not None and posted_row[0] == prefix:
                form = posted_row[1]
            else:
                form = MembershipForm(
                    prefix=prefix,
                    roles=roles,
                    initial={"roles": m.roles, "active": m.active},
                )
        rows.append(
            MembershipRow(
                membership=m,
                form=form,
                acting=m.pk == actor.membership_id,
                may_decide=m.pk in awaiting and governed and rights.change_membership,
            )
        )
    return rows


def _person_context(
    actor: Actor, person: User, *, posted_row: tuple[str, MembershipForm] | None = None,
    **forms: Any,
) -> dict[str, Any]:  # fmt: skip
    rights = Rights.of(actor)
    governed = accounts.account_governed_by(actor=actor, person=person)
    scope = accounts.people_scope(actor)
    rows = _membership_rows(actor, person, rights, posted_row)
    details_form = forms.get("details_form")
    if details_form is None and governed and rights.change_person:
        details_form = PersonDetailsForm(
            initial={
                "display_name": person.display_name,
                "phone": person.phone,
                "email": person.email,
                "active": person.is_active,
            }
        )
    password_form = forms.get("password_form")
    if password_form is None and governed and rights.change_person:
        password_form = PasswordSetForm()
    add_form = forms.get("add_form")
    # An institution's administrator manages one institution, where the person is already.
    if add_form is None and scope is None and rights.add_membership:
        add_form = MembershipAddForm(roles=accounts.roles_grantable_by(actor))
    if add_form is not None:
        institution_options(add_form)
    return {
        "person": person,
        "rows": rows,
        "governed": governed,
        "rights": rights,
        "myself": person.pk == actor.user_id,
        "details_form": details_form if governed and rights.change_person else None,
        "password_form": password_form if governed and rights.change_person else None,
        "add_form": add_form,
        "pending": [row for row in rows if row.membership.pending_roles],
    }


def _posted_membership(
    request: ActorRequest, actor: Actor, person: User
) -> tuple[Membership, str, MembershipForm]:
    institution_key = request.POST.get("institution", "")
    membership = accounts.membership_of_person_for(
        actor=actor, user_uuid=person.uuid, institution_uuid=institution_key
    )
    prefix = f"m{membership.institution.uuid.hex[:12]}"
    form = MembershipForm(request.POST, prefix=prefix, roles=accounts.roles_grantable_by(actor))
    return membership, prefix, form


@actor_view(allowed=MANAGERS, back=back_to("administration:person", "user_uuid"))
@require_http_methods(["GET", "POST"])
def person(request: ActorRequest, actor: Actor, user_uuid: UUID) -> HttpResponse:
    found = accounts.get_person_for(actor=actor, user_uuid=user_uuid)
    if request.method == "GET":
        return render(request, "administration/person.html", _person_context(actor, found))
    here = reverse("administration:person", kwargs={"user_uuid": found.uuid})
    do = request.POST.get("do", "")
    name = found.display_name or found.username
    if do == "details":
        details = PersonDetailsForm(request.POST)
        if details.is_valid():
            try:
                people_services.person_update(actor=actor, person=found, **details.cleaned_data)
            except ValidationFailed as exc:
                details.add_service_errors(exc)
            else:
                messages.success(request, _("The account of %(name)s was saved.") % {"name": name})
                return HttpResponseRedirect(here)
        context = _person_context(actor, found, details_form=details)
    elif do == "password":
        password = PasswordSetForm(request.POST)
        if password.is_valid():
            try:
                people_services.person_password_set(
                    actor=actor, person=found, password=password.cleaned_data["password"]
                )
            except ValidationFailed as exc:
                password.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("A temporary password was set for %(name)s. Tell them; they change it "
                      "after signing in.") % {"name": name},
                )  # fmt: skip
                return HttpResponseRedirect(here)
        context = _person_context(actor, found, password_form=password)
    elif do == "membership":
        membership, prefix, row_form = _posted_membership(request, actor, found)
        if row_form.is_valid():
            try:
                saved = membership_services.membership_update_managed(
                    actor=actor,
                    membership_id=membership.pk,
                    roles=row_form.cleaned_data["roles"],
                    active=row_form.cleaned_data["active"],
                )
            except ValidationFailed as exc:
                row_form.add_service_errors(exc)
            else:
                _membership_saved_message(request, saved, membership.institution.name)
                return HttpResponseRedirect(here)
        context = _person_context(actor, found, posted_row=(prefix, row_form))
    elif do == "remove":
        institution_key = request.POST.get("institution", "")
        membership = accounts.membership_of_person_for(
            actor=actor, user_uuid=found.uuid, institution_uuid=institution_key
        )
        membership_services.membership_delete_managed(actor=actor, membership_id=membership.pk)
        messages.success(
            request,
            _("The membership at %(institution)s was removed.")
            % {"institution": membership.institution.name},
        )
        return HttpResponseRedirect(here)
    elif do == "add":
        add = MembershipAddForm(request.POST, roles=accounts.roles_grantable_by(actor))
        if add.is_valid():
            try:
                saved = membership_services.membership_create_managed(
                    actor=actor,
                    user=found,
                    institution=add.cleaned_data["institution"],
                    roles=add.cleaned_data["roles"],
                )
            except ValidationFailed as exc:
                add.add_service_errors(exc)
            else:
                _membership_saved_message(request, saved, add.cleaned_data["institution"].name)
                return HttpResponseRedirect(here)
        context = _person_context(actor, found, add_form=add)
    else:
        raise Http404
    return render(request, "administration/person.html", context)


def _membership_saved_message(request: ActorRequest, saved: Membership, place: str) -> None:
    if saved.pending_roles:
        messages.warning(
            request,
            _("Saved. The roles you gave yourself at %(institution)s wait for another "
              "administrator's approval.") % {"institution": place},
        )  # fmt: skip
    else:
        messages.success(
            request, _("The membership at %(institution)s was saved.") % {"institution": place}
        )


@actor_view(allowed=MANAGERS)
def approvals(request: ActorRequest, actor: Actor) -> HttpResponse:
    waiting = list(accounts.memberships_awaiting_for(actor=actor))
    return render(
        request,
        "administration/approvals.html",
        {"waiting": waiting, "rights": Rights.of(actor)},
    )


@actor_view(allowed=MANAGERS, back="administration:approvals")
@require_POST
def approval_decide(
    request: ActorRequest, actor: Actor, user_uuid: UUID, institution_uuid: UUID, decision: str
) -> HttpResponse:
    decide = {
        "approve": membership_services.membership_approve_managed,
        "decline": membership_services.membership_decline_managed,
    }.get(decision)
    if decide is None:
        raise Http404
    membership = accounts.membership_of_person_for(
        actor=actor, user_uuid=user_uuid, institution_uuid=institution_uuid
    )
    decide(actor=actor, membership_id=membership.pk)
    words = {
        "person": membership.user.display_name or membership.user.username,
        "institution": membership.institution.name,
    }
    if decision == "approve":
        messages.success(
            request, _("The roles of %(person)s at %(institution)s were approved.") % words
        )
    else:
        messages.success(
            request, _("The roles of %(person)s at %(institution)s were declined.") % words
        )
    return HttpResponseRedirect(safe_next(request, reverse("administration:approvals")))
