from .views.requests_urls import urlpatterns as request_pages
from .views.workspace_urls import urlpatterns as workspace_pages

app_name = "consultations"
# Requests, inboxes and queues on one side; the workspace, opinion and board on the other.
urlpatterns = [*request_pages, *workspace_pages]
