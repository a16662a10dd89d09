from django.urls import path

from . import report_views, views

urlpatterns = [
    path("studies/<str:study_uid>/read", views.reading_new, name="reading_new"),
    path("worklist/", views.worklist, name="worklist"),
    path("readings/", views.readings_mine, name="readings_mine"),
    path("readings/<uuid:reading_uuid>/", report_views.reading_detail, name="reading"),
    path("readings/<uuid:reading_uuid>/report", report_views.report_edit, name="report_edit"),
    path("readings/<uuid:reading_uuid>/sign", report_views.report_sign_page, name="report_sign"),
    path(
        "readings/<uuid:reading_uuid>/correct",
        report_views.report_correct_page,
        name="report_correct",
    ),
    path(
        "readings/<uuid:reading_uuid>/report/preview.pdf",
        report_views.report_preview_pdf,
        name="report_preview_pdf",
    ),
    path(
        "readings/<uuid:reading_uuid>/reports/<int:version>.pdf",
        report_views.report_pdf_download,
        name="report_pdf",
    ),
    path("readings/<uuid:reading_uuid>/<str:action>", views.reading_act, name="reading_act"),
]
