from django.contrib import admin

from .models import CentreSettings


@admin.register(CentreSettings)
class CentreSettingsAdmin(admin.ModelAdmin[CentreSettings]):
    list_display = ["centre", "direct_expert_pick"]
    list_editable = ["direct_expert_pick"]
    raw_id_fields = ["centre"]
