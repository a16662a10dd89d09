from django.urls import URLPattern, path

from . import views

app_name = "conferencing"
urlpatterns: list[URLPattern] = [
    path("threads/<uuid:thread_uuid>/", views.thread_page, name="thread"),
    path("threads/<uuid:thread_uuid>/messages/", views.message_post_view, name="message_post"),
    path("attachments/<uuid:message_uuid>/", views.attachment, name="attachment"),
]
