from django.urls import URLPattern

app_name = "video"
urlpatterns: list[URLPattern] = []
