"""The accounts pages: signing in and out, the second factor, and "My account"."""

from .account import account, account_token_issue, account_token_revoke, password_change
from .login import LoginView, lockout_response, login_past_lock, switch_membership
from .two_factor import otp_verify, totp_disable, totp_setup

__all__ = [
    "LoginView",
    "account",
    "account_token_issue",
    "account_token_revoke",
    "lockout_response",
    "login_past_lock",
    "otp_verify",
    "password_change",
    "switch_membership",
    "totp_disable",
    "totp_setup",
]
