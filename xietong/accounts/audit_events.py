"""The accounts app's audit words (core/audit_vocabulary)."""

from django.utils.translation import gettext_lazy as _

from xietong.core.audit_vocabulary import AuditVocabulary

from .models import Role

AUDIT_EVENTS = AuditVocabulary(
    actions={
        "login.success": _("Signed in"),
        "login.password": _("Password accepted, second factor pending"),
        "login.failure": _("Sign-in failed"),
        "login.lockout": _("Account locked after failed sign-ins"),
        "login.unlock": _("Account unlocked"),
        "login.logout": _("Signed out"),
        "password.change": _("Password changed"),
        "password.reset": _("Password set by an administrator"),
        "totp.enrol": _("Authenticator enrolled"),
        "totp.disable": _("Authenticator turned off"),
        "totp.remove": _("Authenticator removed by an administrator"),
        "user.create": _("Account created"),
        "user.update": _("Account changed"),
        "user.delete": _("Account deleted"),
        "user.permissions": _("Account permissions changed"),
        "membership.create": _("Membership created"),
        "membership.update": _("Membership changed"),
        "membership.delete": _("Membership removed"),
        "membership.approve": _("Membership approved"),
        "membership.decline": _("Membership declined"),
        "membership.switch": _("Acting membership switched"),
        "token.issue": _("API token issued"),
        "token.revoke": _("API token revoked"),
    },
    resource_types={
        "User": _("User account"),
        "TOTPDevice": _("Authenticator"),
        "Membership": _("Membership"),
        "ApiToken": _("API token"),
    },
    roles=dict(Role.choices),
)
