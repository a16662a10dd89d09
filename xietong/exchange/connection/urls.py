from django.urls import path

from . import views

app_name = "exchange_connection"
urlpatterns = [
    path("", views.connection, name="index"),
    path("databases/", views.databases, name="databases"),
]
