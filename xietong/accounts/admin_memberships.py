"""Memberships in the Django admin: their own list (with the roles waiting for approval),
and the rows on a person's page. Every save, delete and approval is an audited service
call (memberships.py); nothing here writes a membership itself."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from xietong.core.admin_audit import request_actor
from xietong.core.errors import DomainError

from .memberships import (
    membership_approve,
    membership_create,
    membership_decline,
    membership_delete,
    membership_update,
    memberships_awaiting_approval_by,
)
from .models import Membership, Role, role_labels


class MembershipForm(forms.ModelForm[Membership]):
    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Membership
        fields = ["user", "institution", "roles", "active"]

    def clean_institution(self) -> Any:
        institution = self.cleaned_data.get("institution")
        if self.instance.pk and institution != self.instance.institution:
            raise forms.ValidationError(
                _("A membership stays at its institution; add a new one for another.")
            )
        return institution


def membership_save_from_admin(request: HttpRequest, obj: Membership, change: bool) -> Membership:
    """The service call for a membership an admin form prepared (not yet saved)."""
    actor = request_actor(request)
    if change:
        return membership_update(
            actor=actor, membership_id=obj.pk, roles=obj.roles, active=obj.active
        )
    return membership_create(
        actor=actor, user=obj.user, institution=obj.institution, roles=obj.roles,
        active=obj.active,
    )  # fmt: skip


def membership_formset_save(request: HttpRequest, formset: Any) -> None:
    """The rows of the membership inline, each through its service."""
    formset.save(commit=False)
    actor = request_actor(request)
    for obj in formset.deleted_objects:
        membership_delete(actor=actor, membership_id=obj.pk)
    for obj in formset.new_objects:
        membership_save_from_admin(request, obj, change=False)
    for obj, _fields in formset.changed_objects:
        membership_save_from_admin(request, obj, change=True)


class MembershipInline(admin.TabularInline[Membership, Any]):
    model = Membership
    form = MembershipForm
    fk_name = "user"
    extra = 0
    fields = ["institution", "roles", "active", "pending", "created_at"]
    readonly_fields = ["pending", "created_at"]
    raw_id_fields = ["institution"]

    @admin.display(description=_("roles awaiting approval"))
    def pending(self, obj: Membership) -> str:
        return "、".join(role_labels(obj.pending_roles)) or "—"


class AwaitingApprovalFilter(admin.SimpleListFilter):
    title = _("approval")
    parameter_name = "approval"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("yours", _("waiting for your approval")),
            ("waiting", _("waiting for approval")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yours":
            mine = memberships_awaiting_approval_by(actor=request_actor(request))
            return queryset.filter(pk__in=mine.values("pk"))
        if self.value() == "waiting":
            return queryset.filter(pending_since__isnull=False)
        return queryset


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    form = MembershipForm
    list_display = ["user", "institution", "roles", "active", "pending", "created_at"]
    list_filter = [AwaitingApprovalFilter, "active"]
    search_fields = ["user__username", "user__display_name", "institution__name"]
    raw_id_fields = ["user", "institution"]
    list_select_related = ["user", "institution"]
    actions = ["approve", "decline"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        waiting = ["pending_roles", "pending_requested_by", "pending_since"]
        # A membership belongs to one person at one institution for its whole life.
        return [*waiting, "user", "institution"] if obj is not None else waiting

    @admin.display(description=_("roles awaiting approval"))
    def pending(self, obj: Membership) -> str:
        return "、".join(role_labels(obj.pending_roles)) or "—"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = membership_save_from_admin(request, obj, change)
        # The admin goes on with its own object (the change message, the next page).
        obj.pk, obj.roles, obj.pending_roles = saved.pk, saved.roles, saved.pending_roles
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        membership_delete(actor=request_actor(request), membership_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                membership_delete(actor=request_actor(request), membership_id=obj.pk)

    def _each(self, request: HttpRequest, queryset: QuerySet[Any], service: Any) -> int:
        done = 0
        for obj in queryset.filter(pending_since__isnull=False):
            try:
                service(actor=request_actor(request), membership_id=obj.pk)
            except DomainError as exc:
                self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
            else:
                done += 1
        return done

    @admin.action(description=_("Approve the roles waiting on the selected memberships"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = self._each(request, queryset, membership_approve)
        if count:
            self.message_user(
                request,
                ngettext("Roles approved on %(count)d membership.",
                         "Roles approved on %(count)d memberships.", count)
                % {"count": count},
                messages.SUCCESS,
            )  # fmt: skip

    @admin.action(description=_("Decline the roles waiting on the selected memberships"))
    def decline(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        count = self._each(request, queryset, membership_decline)
        if count:
            self.message_user(
                request,
                ngettext("Roles declined on %(count)d membership.",
                         "Roles declined on %(count)d memberships.", count)
                % {"count": count},
                messages.SUCCESS,
            )  # fmt: skip
