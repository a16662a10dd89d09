from django.urls import path

from . import views

app_name = "viewer"
urlpatterns = [
    path("", views.index, name="index"),
    path("app-config.js", views.app_config, name="config"),
    path("<path:path>", views.route, name="route"),
]
