"""The directory in Django's admin. A province has thousands of regions and institutions,
so foreign keys are typed in (raw_id_fields) rather than picked from huge drop-downs.

Institutions, collaboration links, practitioners and experts decide where patients are sent
and who reads their data, so changes to them are audited (core/admin_audit.py)."""

from __future__ import annotations

from django.contrib import admin

from xietong.core.admin_audit import AuditedAdmin

from .models import CollaborationLink, Department, Expert, Institution, Practitioner, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    ordering = ("code",)


@admin.register(Institution)
class InstitutionAdmin(AuditedAdmin):
    list_display = ("code", "name", "level", "kind", "grade", "region", "active")
    list_filter = ("level", "kind", "grade", "active")
    search_fields = ("code", "name", "short_name", "region__name")
    raw_id_fields = ("region", "upline")
    list_select_related = ("region",)
    readonly_fields = ("uuid", "created_at", "updated_at")


@admin.register(CollaborationLink)
class CollaborationLinkAdmin(AuditedAdmin):
    list_display = ("provider", "client", "service", "active", "since")
    list_filter = ("service", "active", "provider__level")
    search_fields = ("provider__name", "client__name", "provider__code", "client__code")
    raw_id_fields = ("provider", "client")
    list_select_related = ("provider", "client")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


class ExpertInline(admin.StackedInline[Expert, Practitioner]):
    model = Expert
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(AuditedAdmin):
    list_display = ("name", "title", "department", "institution", "practising_since")
    list_filter = ("title", "institution__level", "department")
    search_fields = ("name", "specialties", "licence_number", "institution__name")
    raw_id_fields = ("institution", "department")
    list_select_related = ("institution", "department")
    readonly_fields = ("uuid", "created_at", "updated_at")
    inlines = [ExpertInline]


@admin.register(Expert)
class ExpertAdmin(AuditedAdmin):
    list_display = ("practitioner", "title", "institution", "active")
    list_filter = ("active", "practitioner__title", "practitioner__institution__level")
    search_fields = ("practitioner__name", "practitioner__specialties", "bio")
    raw_id_fields = ("practitioner",)
    list_select_related = ("practitioner__institution",)

    @admin.display(description=Practitioner._meta.get_field("title").verbose_name)
    def title(self, obj: Expert) -> str:
        return obj.practitioner.get_title_display()

    @admin.display(description=Practitioner._meta.get_field("institution").verbose_name)
    def institution(self, obj: Expert) -> str:
        return str(obj.practitioner.institution)
