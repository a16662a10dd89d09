from django.urls import path

from . import views

app_name = "administration"
urlpatterns = [
    path("", views.index, name="index"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_add, name="person_add"),
    path("people/<uuid:user_uuid>/", views.person, name="person"),
    path("approvals/", views.approvals, name="approvals"),
    path(
        "people/<uuid:user_uuid>/memberships/<uuid:institution_uuid>/<str:decision>/",
        views.approval_decide,
        name="approval_decide",
    ),
]
