from django.urls import path

from .views import create, detail, lists

app_name = "referrals"
urlpatterns = [
    path("", lists.outgoing, name="outgoing"),
    path("incoming/", lists.incoming, name="incoming"),
    path("down/", lists.down, name="down"),
    path("arrivals/", lists.arrivals, name="arrivals"),
    path("new/", create.create, name="create"),
    path("new/slots/", create.slot_picker, name="slot_picker"),
    path("<uuid:referral_uuid>/", detail.detail, name="detail"),
    path("<uuid:referral_uuid>/slip.pdf", detail.slip, name="slip"),
    path("<uuid:referral_uuid>/act/<str:action>/", detail.act, name="act"),
]
