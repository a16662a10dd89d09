from django.urls import URLPattern, path

from . import views

app_name = "notifications"
urlpatterns: list[URLPattern] = [
    path("", views.notification_list, name="list"),
    path("read/", views.mark_read, name="mark_read"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("outbox/", views.outbox, name="outbox"),
]
