from django.urls import path

from . import views

urlpatterns = [
    path("studies/<str:study_uid>/read", views.reading_new, name="reading_new"),
    path("worklist/", views.worklist, name="worklist"),
    path("readings/", views.readings_mine, name="readings_mine"),
    path("readings/<uuid:reading_uuid>/", views.reading_detail, name="reading"),
    path("readings/<uuid:reading_uuid>/<str:action>", views.reading_act, name="reading_act"),
]
