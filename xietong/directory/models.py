"""Who is who in the network: regions, institutions, departments, practitioners, experts,
and which institution serves which."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from xietong.core.models import BaseModel
from xietong.core.names import validate_name


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    COUNTY = "county", _("county")
    TOWNSHIP = "township", _("township")
    VILLAGE = "village", _("village")


class Region(models.Model):
    """An administrative division (GB/T 2260 code; 9 to 12 digits below the county)."""

    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Codes from the root down, "/"-terminated: a prefix match finds every descendant.
    path = models.CharField(max_length=120, db_index=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class InstitutionLevel(models.TextChoices):
    PROVINCIAL = "provincial", _("provincial")
    MUNICIPAL = "municipal", _("municipal")
    COUNTY = "county", _("county")
    TOWNSHIP = "township", _("township")
    VILLAGE = "village", _("village")


# Higher levels first: the order a referral or consultation looks upward in.
LEVEL_RANK = {"provincial": 5, "municipal": 4, "county": 3, "township": 2, "village": 1}


class InstitutionKind(models.TextChoices):
    HOSPITAL = "hospital", _("hospital")
    HEALTH_CENTRE = "health_centre", _("health centre")
    CLINIC = "clinic", _("clinic")
    TELEMEDICINE_CENTRE = "telemedicine_centre", _("telemedicine centre")
    AUTHORITY = "authority", _("health authority")


class InstitutionGrade(models.TextChoices):
    G3A = "3A", _("Grade III-A")
    G3B = "3B", _("Grade III-B")
    G2A = "2A", _("Grade II-A")
    G2B = "2B", _("Grade II-B")
    G1 = "1", _("Grade I")
    NONE = "", _("ungraded")


class Institution(BaseModel):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200, validators=[validate_name])
    short_name = models.CharField(
        _("short name"), max_length=60, blank=True, validators=[validate_name]
    )
    level = models.CharField(_("level"), max_length=12, choices=InstitutionLevel.choices)
    kind = models.CharField(_("kind"), max_length=24, choices=InstitutionKind.choices)
    grade = models.CharField(
        _("grade"), max_length=4, choices=InstitutionGrade.choices, blank=True, default=""
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="institutions")
    upline = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="downline",
        verbose_name=_("upline"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        indexes = [models.Index(fields=["level", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def rank(self) -> int:
        return LEVEL_RANK.get(self.level, 0)


class Service(models.TextChoices):
    CONSULTATION = "consultation", _("remote consultation")
    REFERRAL = "referral", _("two-way referral")
    IMAGING = "imaging", _("imaging reading")
    ECG = "ecg", _("ECG reading")
    PATHOLOGY = "pathology", _("pathology reading")
    EDUCATION = "education", _("distance education")


class CollaborationLink(models.Model):
    """`provider` serves `client` for one service (a medical alliance is a set of links)."""

    provider = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="serves")
    client = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="served_by")
    service = models.CharField(max_length=16, choices=Service.choices)
    active = models.BooleanField(default=True)
    since = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "client", "service"], name="uniq_collaboration_link"
            ),
            models.CheckConstraint(
                condition=~models.Q(provider=models.F("client")), name="link_not_to_self"
            ),
        ]
        verbose_name = _("collaboration link")
        verbose_name_plural = _("collaboration links")

    def __str__(self) -> str:
        return f"{self.provider} → {self.client} ({self.service})"


class DicomNode(BaseModel):
    """A DICOM application entity of an institution (its PACS, a modality, a workstation)
    that may send studies to us by C-STORE: the calling AE title it introduces itself with
    and, when given, the addresses it connects from. An association from any other is
    refused (selectors/dicom.py: dicom_node_for)."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="dicom_nodes",
        verbose_name=_("institution"),
    )
    # Leading and trailing spaces are not significant in an AE title: stored without them.
    ae_title = models.CharField(_("AE title"), max_length=16)
    # Addresses and CIDR networks ("10.2.0.0/16"); empty: any address.
    addresses = models.JSONField(_("source addresses"), default=list, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["ae_title"]
        verbose_name = _("DICOM node")
        verbose_name_plural = _("DICOM nodes")
        constraints = [
            # The AE title names the sender: two institutions may not share one.
            models.UniqueConstraint(fields=["ae_title"], name="uniq_dicom_node_ae_title"),
        ]

    def __str__(self) -> str:
        return f"{self.ae_title} ({self.institution})"


class Department(models.Model):
    """A department from the standard code list (shared by every institution)."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=60)
    name_en = models.CharField(max_length=80)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the language of the page (the code list carries both)."""
        language = get_language() or ""
        return self.name_en if language.startswith("en") and self.name_en else self.name


class Title(models.TextChoices):
    CHIEF = "chief", _("Chief Physician")
    ASSOCIATE_CHIEF = "associate_chief", _("Associate Chief Physician")
    ATTENDING = "attending", _("Attending Physician")
    RESIDENT = "resident", _("Resident Physician")


TITLE_RANK = {"chief": 4, "associate_chief": 3, "attending": 2, "resident": 1}


class Practitioner(BaseModel):
    name = models.CharField(_("name"), max_length=60, validators=[validate_name])
    sex = models.CharField(_("sex"), max_length=1, choices=[("M", _("male")), ("F", _("female"))])
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="practitioners"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="practitioners"
    )
    title = models.CharField(_("professional title"), max_length=16, choices=Title.choices)
    practising_since = models.PositiveSmallIntegerField(_("practising since (year)"))
    specialties = models.CharField(_("specialties"), max_length=300, blank=True)
    licence_number = models.CharField(_("licence number"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")

    def __str__(self) -> str:
        return self.name

    @property
    def years_of_practice(self) -> int:
        return max(0, datetime.date.today().year - self.practising_since)


class Expert(models.Model):
    """A practitioner's profile in the expert library: what they accept to do."""

    practitioner = models.OneToOneField(
        Practitioner, on_delete=models.CASCADE, related_name="expert"
    )
    accepts = models.JSONField(_("accepts"), default=list, blank=True)
    bio = models.TextField(_("profile"), blank=True)
    active = models.BooleanField(_("accepting requests"), default=True)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self) -> str:
        return str(self.practitioner)

    @property
    def accepts_labels(self) -> list[str]:
        labels = dict(Service.choices)
        return [str(labels[code]) for code in self.accepts if code in labels]


class DiagnosisCode(models.Model):
    """One entry of the ICD-10 code list the diagnosis pickers search (directory/diagnoses.py
    loads it): a category (I21) or a subcategory (I21.4) with its Chinese and English titles.
    Workflows keep the code as text; this list only helps to choose it."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=255, blank=True)
    name_en = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("diagnosis code")
        verbose_name_plural = _("diagnosis codes")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        """The title in the language of the page, the other one when that is missing."""
        language = get_language() or ""
        if language.startswith("en"):
            return self.name_en or self.name
        return self.name or self.name_en
