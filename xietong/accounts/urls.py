from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("switch/", views.switch_membership, name="switch_membership"),
    path("locked/", views.login_past_lock, name="login_past_lock"),
    path("two-factor/", views.otp_verify, name="otp_verify"),
    path("two-factor/setup/", views.totp_setup, name="totp_setup"),
    path("two-factor/disable/", views.totp_disable, name="totp_disable"),
    path("me/", views.account, name="account"),
    path("me/password/", views.password_change, name="password_change"),
    path("me/tokens/", views.account_token_issue, name="token_issue"),
    path("me/tokens/<int:token_id>/revoke/", views.account_token_revoke, name="token_revoke"),
]
