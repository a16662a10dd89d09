from django.urls import path

from . import views

app_name = "fhir"
urlpatterns = [
    path("metadata", views.capability_statement, name="metadata"),
    path(
        "<str:resource_type>/<str:resource_id>/$<str:operation>",
        views.resource_operation,
        name="operation",
    ),
    path("<str:resource_type>/<str:resource_id>", views.resource_read, name="read"),
    path("<str:resource_type>", views.resource_search, name="search"),
]
