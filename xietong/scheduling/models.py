"""Schedules, their weekly rules and exceptions, the slots they generate, and bookings.

Consultations and referrals both book through these rows; a booking names its subject by
type and UUID, so this app never imports the workflow apps. Times are stored in UTC."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from xietong.core.models import BaseModel


class ExaminationType(models.TextChoices):
    CT = "ct", _("CT")
    MRI = "mri", _("MRI")
    ULTRASOUND = "ultrasound", _("ultrasound")
    ENDOSCOPY = "endoscopy", _("endoscopy")
    ECG = "ecg", _("ECG")
    XRAY = "xray", _("X-ray")
    DSA = "dsa", _("DSA")
    PET_CT = "pet_ct", _("PET-CT")


class Purpose(models.TextChoices):
    CONSULTATION = "consultation", _("remote consultation")
    OUTPATIENT = "outpatient", _("outpatient visit")
    EXAMINATION = "examination", _("examination")
    INPATIENT = "inpatient", _("inpatient admission")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Schedule(BaseModel):
    """Bookable capacity an institution publishes: of a department, an expert or an
    examination type (号源)."""

    institution = models.ForeignKey(
        "directory.Institution",
        on_delete=models.PROTECT,
        related_name="schedules",
        verbose_name=_("institution"),
    )
    department = models.ForeignKey(
        "directory.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("department"),
    )
    practitioner = models.ForeignKey(
        "directory.Practitioner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schedules",
        verbose_name=_("practitioner"),
    )
    examination_type = models.CharField(
        _("examination type"), max_length=16, choices=ExaminationType.choices, blank=True
    )
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["institution_id", "name"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")

    def __str__(self) -> str:
        return self.name


class ScheduleRule(models.Model):
    """One weekly session of the template: every `weekday` from start to end, slots of
    `slot_minutes`, each for `capacity` patients of whom `referral_reserved` places are
    kept for referrals from collaborating institutions."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="rules")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    slot_minutes = models.PositiveSmallIntegerField(_("slot minutes"))
    capacity = models.PositiveSmallIntegerField(_("capacity per slot"))
    referral_reserved = models.PositiveSmallIntegerField(_("reserved for referrals"), default=0)

    class Meta:
        ordering = ["weekday", "start_time"]
        verbose_name = _("weekly rule")
        verbose_name_plural = _("weekly rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(referral_reserved__lte=F("capacity")), name="rule_reserved_lte_cap"
            ),
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="rule_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class ExceptionKind(models.TextChoices):
    CLOSED = "closed", _("closed (holiday)")
    HOURS = "hours", _("different hours")
    EXTRA = "extra", _("extra session")


class ScheduleException(models.Model):
    """A date that departs from the weekly template: closed, with other hours (replacing
    that day's rules), or with an extra session (added to them)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=ExceptionKind.choices)
    start_time = models.TimeField(_("start"), null=True, blank=True)
    end_time = models.TimeField(_("end"), null=True, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("slot minutes"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity per slot"), null=True, blank=True)
    referral_reserved = models.PositiveSmallIntegerField(_("reserved for referrals"), default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "start_time"]
        verbose_name = _("schedule exception")
        verbose_name_plural = _("schedule exceptions")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class SlotStatus(models.TextChoices):
    # FHIR R4 Slot.status.
    FREE = "free", _("free")
    BUSY = "busy", _("busy")
    BUSY_UNAVAILABLE = "busy-unavailable", _("unavailable")
    ENTERED_IN_ERROR = "entered-in-error", _("entered in error")


class Slot(BaseModel):
    """A bookable time with room for `capacity` patients. The schedule's institution,
    department, practitioner, examination type and purpose are copied here, so that "a
    department's next two weeks" is one range scan of one index."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="slots")
    institution = models.ForeignKey(
        "directory.Institution", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "directory.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    practitioner = models.ForeignKey(
        "directory.Practitioner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    examination_type = models.CharField(max_length=16, choices=ExaminationType.choices, blank=True)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    booked_count = models.PositiveSmallIntegerField(_("booked"), default=0)
    referral_reserved = models.PositiveSmallIntegerField(_("reserved for referrals"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=SlotStatus.choices, default=SlotStatus.FREE
    )

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "start"], name="uniq_slot_start"),
            # The last line of defence: the database itself refuses an overbooked slot.
            models.CheckConstraint(
                condition=Q(booked_count__lte=F("capacity")), name="slot_not_overbooked"
            ),
            models.CheckConstraint(
                condition=Q(referral_reserved__lte=F("capacity")), name="slot_reserved_lte_cap"
            ),
        ]
        indexes = [
            models.Index(fields=["department", "start"], name="slot_department_start"),
            models.Index(fields=["institution", "start"], name="slot_institution_start"),
            models.Index(fields=["practitioner", "start"], name="slot_practitioner_start"),
            models.Index(fields=["examination_type", "start"], name="slot_examination_start"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.start:%Y-%m-%d %H:%M}"

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.booked_count)


class BookingStatus(models.TextChoices):
    # FHIR R4 Appointment.status.
    BOOKED = "booked", _("booked")
    ARRIVED = "arrived", _("arrived")
    FULFILLED = "fulfilled", _("fulfilled")
    CANCELLED = "cancelled", _("cancelled")
    NOSHOW = "noshow", _("no-show")


# Bookings in these states hold their place in the slot.
HOLDING = (
    BookingStatus.BOOKED,
    BookingStatus.ARRIVED,
    BookingStatus.FULFILLED,
    BookingStatus.NOSHOW,
)


class Booking(BaseModel):
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    subject_type = models.CharField(_("for"), max_length=32)
    subject_id = models.UUIDField(_("subject"))
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("patient"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    institution = models.ForeignKey(
        "directory.Institution",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("booked by institution"),
    )
    via_referral = models.BooleanField(_("via referral"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    number = models.CharField(_("booking number"), max_length=24, unique=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="booking_subject")]

    def __str__(self) -> str:
        return self.number
