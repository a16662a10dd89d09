from django.urls import path

from .views import dicom_nodes, gateways, home, institutions, links, people, practitioners
from .views import pushes as push_views

app_name = "administration"
urlpatterns = [
    path("", home.index, name="index"),
    path("people/", people.people, name="people"),
    path("people/new/", people.person_add, name="person_add"),
    path("people/<uuid:user_uuid>/", people.person, name="person"),
    path("approvals/", people.approvals, name="approvals"),
    path(
        "people/<uuid:user_uuid>/memberships/<uuid:institution_uuid>/<str:decision>/",
        people.approval_decide,
        name="approval_decide",
    ),
    path("practitioners/", practitioners.practitioners, name="practitioners"),
    path("practitioners/new/", practitioners.practitioner_add, name="practitioner_add"),
    path("practitioners/<uuid:uuid>/", practitioners.practitioner, name="practitioner"),
    path("institutions/", institutions.institutions, name="institutions"),
    path("institutions/new/", institutions.institution_add, name="institution_add"),
    path("institutions/<uuid:uuid>/", institutions.institution, name="institution"),
    path("dicom-nodes/", dicom_nodes.dicom_nodes, name="dicom_nodes"),
    path("dicom-nodes/new/", dicom_nodes.dicom_node_add, name="dicom_node_add"),
    path("dicom-nodes/<uuid:uuid>/", dicom_nodes.dicom_node, name="dicom_node"),
    path(
        "dicom-nodes/<uuid:uuid>/<str:change>/",
        dicom_nodes.dicom_node_change,
        name="dicom_node_change",
    ),
    path("gateways/", gateways.gateways, name="gateways"),
    path("gateways/new/", gateways.gateway_add, name="gateway_add"),
    path("gateways/stuck/", push_views.pushes_stuck, name="pushes_stuck"),
    path("gateways/<uuid:uuid>/revoke/", gateways.gateway_revoke, name="gateway_revoke"),
    path(
        "gateways/<uuid:uuid>/secret/", gateways.gateway_secret_renew, name="gateway_secret_renew"
    ),
    path("links/", links.links, name="links"),
    path("links/new/", links.link_add, name="link_add"),
    # A link is named by its provider, its client and its service (it has no key of its own).
    path(
        "links/<uuid:provider>/<uuid:client>/<str:service>/<str:change>/",
        links.link_change,
        name="link_change",
    ),
]
