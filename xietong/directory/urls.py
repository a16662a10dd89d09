from django.urls import path

from . import views, views_options

app_name = "directory"
urlpatterns = [
    path("", views.institutions, name="institutions"),
    path("institutions/<uuid:uuid>/", views.institution, name="institution"),
    path("experts/", views.experts, name="experts"),
    # Options for searchable pickers, as the user types.
    path("options/experts/", views_options.experts, name="options_experts"),
    path("options/institutions/", views_options.institutions, name="options_institutions"),
    path("options/regions/", views_options.regions, name="options_regions"),
    path("options/diagnoses/", views_options.diagnoses, name="options_diagnoses"),
]
