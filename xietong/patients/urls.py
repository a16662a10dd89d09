from django.urls import path

from . import views

app_name = "patients"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.register, name="register"),
    path("<uuid:patient_uuid>/", views.detail, name="detail"),
    path("<uuid:patient_uuid>/identifiers/new/", views.identifier_add, name="identifier_add"),
    path("<uuid:patient_uuid>/consents/new/", views.consent_add, name="consent_add"),
    path("<uuid:patient_uuid>/break-glass/", views.break_glass, name="break_glass"),
    path(
        "<uuid:patient_uuid>/consents/<uuid:consent_uuid>/scan/",
        views.consent_scan,
        name="consent_scan",
    ),
    path(
        "<uuid:patient_uuid>/consents/<uuid:consent_uuid>/withdraw/",
        views.consent_withdraw_view,
        name="consent_withdraw",
    ),
]
