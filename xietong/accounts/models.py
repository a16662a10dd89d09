"""Users, their memberships (user × institution × roles) and API tokens."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from xietong.core.names import validate_name
from xietong.directory.models import Institution, Practitioner


class Role(models.TextChoices):
    REQUESTER = "requester", _("requesting doctor")
    EXPERT = "expert", _("expert")
    COORDINATOR = "coordinator", _("coordinator")
    QC = "qc", _("quality control")
    REFERRAL_DESK = "referral_desk", _("referral desk")
    SUPERVISOR = "supervisor", _("supervisor")
    PHARMACIST = "pharmacist", _("pharmacist")
    LEARNER = "learner", _("learner")
    LECTURER = "lecturer", _("lecturer")
    COURSE_REVIEWER = "course_reviewer", _("course reviewer")
    INSTITUTION_ADMIN = "institution_admin", _("institution administrator")
    PLATFORM_ADMIN = "platform_admin", _("platform administrator")
    # Keeps the master patient index true across institutions: judges the pairs no
    # registrar can (records of different institutions), merges and unmerges.
    DATA_STEWARD = "data_steward", _("data steward")


# Roles whose sign-in needs a second factor when XT_REQUIRE_2FA is on: those who read many
# institutions' or many patients' data. Quality control reviews every consultation of its
# centre and a referral desk every referral sent to its hospital, so they are among them.
PRIVILEGED_ROLES = frozenset(
    {
        Role.EXPERT,
        Role.COORDINATOR,
        Role.QC,
        Role.REFERRAL_DESK,
        Role.SUPERVISOR,
        Role.INSTITUTION_ADMIN,
        Role.PLATFORM_ADMIN,
        Role.DATA_STEWARD,
    }
)

# Roles offered API tokens on their account page: those who connect programs (a hospital
# system, a gateway, a script) to the platform. Clinicians work in the pages; an app a
# clinician signs in to gets its token through the API's sign-in, not from this page.
TOKEN_ISSUER_ROLES = frozenset({Role.INSTITUTION_ADMIN, Role.PLATFORM_ADMIN})

# Roles that open patients' data (patients.access.VIEW_ROLES, which a test keeps within this
# set). An administrator who gives one of them to themselves waits for a second
# administrator's approval (docs/adr/0003).
CLINICAL_ROLES = frozenset(
    {
        Role.REQUESTER,
        Role.EXPERT,
        Role.COORDINATOR,
        Role.QC,
        Role.REFERRAL_DESK,
        Role.PHARMACIST,
        Role.INSTITUTION_ADMIN,
        Role.DATA_STEWARD,
    }
)


class User(AbstractUser):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(
        _("display name"), max_length=60, blank=True, validators=[validate_name]
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    practitioner = models.OneToOneField(
        Practitioner,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        verbose_name=_("practitioner"),
    )
    # Set when an administrator chose the password (a new account, a forgotten password):
    # they know it, so the person sets their own before anything else (middleware).
    password_change_required = models.BooleanField(
        _("must change the password at next sign-in"), default=False
    )

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    """What a user may do at one institution. A user with several picks the one they act
    through; every action is attributed to it."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("institution"),
    )
    roles = models.JSONField(_("roles"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Clinical roles an administrator gave themselves. They open nothing (the actor is built
    # from `roles` alone) until another administrator approves them.
    pending_roles = models.JSONField(_("roles awaiting approval"), default=list, blank=True)
    pending_requested_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    pending_since = models.DateTimeField(_("awaiting approval since"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "institution"], name="uniq_membership")
        ]
        ordering = ["id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution}"

    @property
    def role_labels(self) -> list[str]:
        return role_labels(self.roles)


def role_labels(roles: list[str]) -> list[str]:
    labels = dict(Role.choices)
    return [str(labels.get(r, r)) for r in roles]


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("membership")
    )
    key_hash = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12)
    label = models.CharField(_("label"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
