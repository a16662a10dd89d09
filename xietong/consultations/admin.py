from django.contrib import admin

from xietong.core.admin_audit import AuditedAdmin

from .models import CentreSettings


# Letting requesters pick an expert directly decides who is sent patients' data: audited.
@admin.register(CentreSettings)
class CentreSettingsAdmin(AuditedAdmin):
    list_display = ["centre", "direct_expert_pick"]
    list_editable = ["direct_expert_pick"]
    raw_id_fields = ["centre"]
