"""The scheduling app's audit words (core/audit_vocabulary)."""

from django.utils.translation import gettext_lazy as _

from xietong.core.audit_vocabulary import AuditVocabulary

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "booking.create": _("Slot booked"),
        "booking.update": _("Booking changed"),
        "schedule.create": _("Schedule created"),
        "schedule.update": _("Schedule changed"),
    },
    resource_types={"Booking": _("Booking"), "Schedule": _("Schedule")},
)
