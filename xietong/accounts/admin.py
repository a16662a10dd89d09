"""The Django admin for people, memberships and API tokens. Every change that decides access
goes through an audited service (people.py, memberships.py, core/admin_audit.py)."""

from __future__ import annotations

from typing import Any, cast

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from xietong.core.actor import Actor
from xietong.core.admin_audit import AuditedAdmin, request_actor

from .admin_memberships import MembershipAdmin, MembershipInline, membership_formset_save
from .models import ApiToken, User
from .people import (
    SELF_LINK_REFUSED,
    password_reset_record,
    totp_device_remove,
    user_create,
    user_delete,
    user_permissions_set,
    user_self_link_refused,
    user_update,
)
from .tokens import api_token_admin_revoke

__all__ = ["ApiTokenAdmin", "MembershipAdmin", "UserAdmin"]

# django-otp's own admin shows each device's secret and QR code to any administrator.
# Here devices are seen (and removed, for a lost phone) only on their user's page.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


class TOTPDeviceInline(admin.TabularInline):
    model = TOTPDevice
    extra = 0
    fields = readonly_fields = (
        "name", "confirmed", "created_at", "last_used_at", "throttling_failure_count",
    )  # fmt: skip
    verbose_name = _("authenticator app")
    verbose_name_plural = _("authenticator apps (delete one to let the user set up again)")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # set up by the user, who scans the code


class UserChangeForm(DjangoUserChangeForm):
    xt_actor: Actor | None = None  # set per request by UserAdmin.get_form

    def clean_practitioner(self) -> Any:
        practitioner = self.cleaned_data.get("practitioner")
        if self.xt_actor is not None and user_self_link_refused(
            actor=self.xt_actor,
            user=self.instance,
            practitioner_id=practitioner.pk if practitioner else None,
        ):
            raise forms.ValidationError(SELF_LINK_REFUSED)
        return practitioner


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    inlines = [MembershipInline, TOTPDeviceInline]
    list_display = ["username", "display_name", "phone", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "display_name", "phone", "email"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Platform"), {"fields": ("display_name", "phone", "practitioner")}),
    )
    raw_id_fields = ["practitioner"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False,
                 **kwargs: Any) -> Any:  # fmt: skip
        form = super().get_form(request, obj, change=change, **kwargs)
        form.xt_actor = request_actor(request)  # type: ignore[attr-defined]  # a class made for this request
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = request_actor(request)
        if change:
            user_update(actor=actor, user=obj, changed=form.changed_data)
        else:
            user_create(actor=actor, user=obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Groups and permissions through their service instead of the form's save_m2m.
        if "groups" in form.cleaned_data or "user_permissions" in form.cleaned_data:
            user_permissions_set(
                actor=request_actor(request),
                user=form.instance,
                groups=form.cleaned_data.get("groups") or [],
                permissions=form.cleaned_data.get("user_permissions") or [],
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is TOTPDevice:
            formset.save(commit=False)
            for device in formset.deleted_objects:
                totp_device_remove(actor=request_actor(request), device_id=device.pk)
        else:
            membership_formset_save(request, formset)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        user_delete(actor=request_actor(request), user_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                user_delete(actor=request_actor(request), user_id=obj.pk)

    def user_change_password(self, request: HttpRequest, id: str,
                             form_url: str = "") -> HttpResponse:  # fmt: skip
        # Django's view sets the password; the record is written in the same transaction.
        with transaction.atomic():
            before = User.objects.filter(pk=id).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=id).first()
            if user is not None and before is not None and user.password != before:
                password_reset_record(actor=request_actor(request), user=user)
        return response


# Groups carry admin permissions, and removing a sign-in lock lets guessing go on: both are
# access, so their admin pages save through the audited services too.
class GroupAdmin(AuditedAdmin, DjangoGroupAdmin):
    pass


class AccessAttemptAuditedAdmin(AuditedAdmin, AccessAttemptAdmin):
    pass


for _model, _admin in ((Group, GroupAdmin), (AccessAttempt, AccessAttemptAuditedAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "prefix", "user", "label", "membership", "created_at", "expires_at", "last_used_at",
        "revoked_at",
    ]  # fmt: skip
    list_filter = ["revoked_at", "expires_at"]
    search_fields = ["prefix", "label", "user__username"]
    list_select_related = ["user", "membership__institution"]
    readonly_fields = [
        "user", "membership", "key_hash", "prefix", "created_at", "expires_at", "last_used_at",
        "revoked_at",
    ]  # fmt: skip
    fields = ["label", *readonly_fields]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a token's key is shown once, to its owner, when they issue it

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = api_token_admin_revoke(
            by=cast(User, request.user), token_ids=[t.pk for t in queryset]
        )
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
            messages.SUCCESS,
        )
