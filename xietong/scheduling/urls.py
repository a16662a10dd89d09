from django.urls import path

from . import views

app_name = "scheduling"
urlpatterns = [
    path("", views.schedule_list, name="schedules"),
    path("utilisation/", views.utilisation, name="utilisation"),
    path("<uuid:schedule_uuid>/", views.schedule_detail, name="detail"),
    path("<uuid:schedule_uuid>/rules/", views.rules_edit, name="rules"),
    path("<uuid:schedule_uuid>/exceptions/", views.exception_add, name="exception_add"),
    path("<uuid:schedule_uuid>/generate/", views.generate, name="generate"),
]
