"""The request side: new request and draft, the lists, the centre's and the experts'
actions before the workspace."""

from django.urls import URLPattern, path

from . import answers, centre, lists, requests

urlpatterns: list[URLPattern] = [
    path("new/", requests.create, name="create"),
    path("<uuid:consultation_uuid>/edit/", requests.edit, name="edit"),
    path("mine/", lists.mine, name="mine"),
    path("inbox/", lists.inbox, name="inbox"),
    path("queue/", lists.queue, name="queue"),
    path("<uuid:consultation_uuid>/qc/", centre.qc, name="qc"),
    path("<uuid:consultation_uuid>/triage/", centre.triage, name="triage"),
    path("<uuid:consultation_uuid>/schedule/", centre.schedule, name="schedule"),
    path("<uuid:consultation_uuid>/answer/", answers.answer, name="answer"),
    path("<uuid:consultation_uuid>/cancel/", answers.cancel, name="cancel"),
]
