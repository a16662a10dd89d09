from django.urls import path

from . import views

urlpatterns = [
    path("teaching/", views.teaching_list, name="teaching_list"),
    path("teaching/<uuid:file_uuid>/download", views.teaching_download, name="teaching_download"),
    path("studies/<str:study_uid>/teaching", views.teaching_file_new, name="teaching_new"),
]
