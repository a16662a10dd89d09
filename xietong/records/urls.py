from django.urls import path

from . import views

app_name = "records"
urlpatterns = [
    path("patients/<uuid:patient_uuid>/", views.patient_documents, name="patient"),
    path("<uuid:document_uuid>/", views.document_detail, name="document"),
    path("<uuid:document_uuid>/file", views.document_file, name="file"),
    path("<uuid:document_uuid>/replace", views.document_replace_view, name="replace"),
    path("<uuid:document_uuid>/in-error", views.document_in_error_view, name="in_error"),
]
