from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("", views.institutions, name="institutions"),
    path("institutions/<uuid:uuid>/", views.institution, name="institution"),
    path("experts/", views.experts, name="experts"),
]
