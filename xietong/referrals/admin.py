from django.contrib import admin

from .models import ReferralCriterion


@admin.register(ReferralCriterion)
class ReferralCriterionAdmin(admin.ModelAdmin[ReferralCriterion]):
    list_display = ("disease_group", "icd_from", "icd_to", "sending_level", "active")
    list_filter = ("active", "sending_level")
