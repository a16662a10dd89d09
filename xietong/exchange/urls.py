from django.urls import path

from . import ehr_views

app_name = "ehr"
urlpatterns = [
    path("patients/<uuid:patient_uuid>/", ehr_views.patient_record, name="patient"),
]
