from django.urls import path

from .tasks_failed import failed_tasks_page

app_name = "tasks"
urlpatterns = [
    path("failed/", failed_tasks_page, name="failed"),
]
