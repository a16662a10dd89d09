from django.urls import path

from . import fhir_views

urlpatterns = [
    path(
        "ServiceRequest/<str:consultation_uuid>",
        fhir_views.service_request_read,
        name="fhir-servicerequest",
    ),
    path("Task", fhir_views.task_search, name="fhir-task-search"),
]
