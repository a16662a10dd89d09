"""The Django admin for people, memberships and API tokens."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken, Membership, User
from .tokens import api_token_admin_revoke

# django-otp's own admin shows each device's secret and QR code to any administrator.
# Here devices are seen (and removed, for a lost phone) only on their user's page.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ["institution", "roles", "active", "created_at"]
    readonly_fields = ["created_at"]
    raw_id_fields = ["institution"]


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


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [MembershipInline, TOTPDeviceInline]
    list_display = ["username", "display_name", "phone", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "display_name", "phone", "email"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Platform"), {"fields": ("display_name", "phone", "practitioner")}),
    )
    raw_id_fields = ["practitioner"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "institution", "roles", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["user__username", "user__display_name", "institution__name"]
    raw_id_fields = ["user", "institution"]
    list_select_related = ["user", "institution"]


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
