from django.urls import URLPattern, path

from . import views

app_name = "video"
urlpatterns: list[URLPattern] = [
    path("", views.meetings_page, name="meetings"),
    path("meetings/<uuid:meeting_uuid>/end/", views.meeting_end_view, name="meeting_end"),
    path("rooms/<slug:subject_type>/<str:subject_id>/", views.room_page, name="room"),
    path(
        "rooms/<slug:subject_type>/<str:subject_id>/recording/",
        views.recording_view,
        name="recording",
    ),
]
