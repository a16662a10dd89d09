from django.urls import path

from . import views
from .reading.urls import urlpatterns as reading_urlpatterns
from .teaching.urls import urlpatterns as teaching_urlpatterns

app_name = "imaging"
urlpatterns = [
    path("reconcile/", views.reconcile_list, name="reconcile"),
    path("reconcile/<uuid:study_uuid>/", views.reconcile_study, name="reconcile_study"),
    path("reconcile/<uuid:study_uuid>/link", views.reconcile_link, name="reconcile_link"),
    path("studies/<str:study_uid>/unlink", views.study_unlink_page, name="study_unlink"),
    *teaching_urlpatterns,
    *reading_urlpatterns,
]
