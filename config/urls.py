from django.contrib import admin
from django.urls import include, path

from config.api import api
from xietong.core.views import home
from xietong.exchange.views import bundle_receive

urlpatterns = [
    path("", home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("xietong.accounts.urls")),
    path("directory/", include("xietong.directory.urls")),
    path("patients/", include("xietong.patients.urls")),
    path("records/", include("xietong.records.urls")),
    # The resident's longitudinal record (居民健康档案), from what hospitals pushed.
    path("ehr/", include("xietong.exchange.urls")),
    path("scheduling/", include("xietong.scheduling.urls")),
    path("notifications/", include("xietong.notifications.urls")),
    path("conferencing/", include("xietong.chat.urls")),
    path("video/", include("xietong.video.urls")),
    path("consultations/", include("xietong.consultations.urls")),
    # The FHIR base itself: hospitals' gateways push their Bundles here (exchange app).
    path("fhir/R4", bundle_receive, name="fhir_base"),
    path("fhir/R4/", include("xietong.fhir.urls")),
    path("exchange/connection/", include("xietong.exchange.connection.urls")),
    path("dicomweb/", include("xietong.imaging.dicomweb.urls")),
    path("imaging/", include("xietong.imaging.urls")),
    # The OHIF viewer (docs/adr/0023-viewer.md).
    path("viewer/", include("xietong.imaging.viewer.urls")),
    path("referrals/", include("xietong.referrals.urls")),
    path("manage/", include("xietong.administration.urls")),
    path("audit/", include("xietong.core.urls")),
    path("tasks/", include("xietong.core.tasks_urls")),
]
# Uploaded files are never served by path, not even in debug mode: every file belongs to a
# patient and is downloaded through an access-checked, audited view.

# Errors answer in the user's language, as JSON under /api/ (xietong/core/errorviews.py).
handler400 = "xietong.core.errorviews.bad_request"
handler403 = "xietong.core.errorviews.permission_denied"
handler404 = "xietong.core.errorviews.page_not_found"
handler500 = "xietong.core.errorviews.server_error"
