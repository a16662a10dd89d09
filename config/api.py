"""The JSON API under /api/v1/: every app's router mounted on one NinjaAPI."""

from xietong.accounts.api import router as accounts_router
from xietong.accounts.api_auth import api_auth
from xietong.chat.api import router as chat_router
from xietong.consultations.api import router as consultations_router
from xietong.core.api import install_error_handlers
from xietong.core.health import router as health_router
from xietong.core.openapi import XietongApi
from xietong.directory.api import router as directory_router
from xietong.exchange.api import router as exchange_router
from xietong.imaging.reading.api import router as imaging_reading_router
from xietong.notifications.api import router as notifications_router
from xietong.patients.api import router as patients_router
from xietong.records.api import router as records_router
from xietong.referrals.api import router as referrals_router
from xietong.scheduling.api import router as scheduling_router
from xietong.video.api import router as video_router

api = XietongApi(
    title="Xietong API",
    version="1",
    description="Regional collaborative care platform. Authenticate with a bearer token from "
    "POST /api/v1/auth/token, or with the browser session (CSRF token required).",
    auth=api_auth,
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("", health_router)
api.add_router("/auth", accounts_router)
api.add_router("/directory", directory_router)
api.add_router("/patients", patients_router)
api.add_router("/records", records_router)
api.add_router("/scheduling", scheduling_router)
api.add_router("/notifications", notifications_router)
api.add_router("/conferencing", chat_router)
api.add_router("/video", video_router)
api.add_router("/consultations", consultations_router)
api.add_router("/referrals", referrals_router)
api.add_router("/imaging", imaging_reading_router)
api.add_router("/exchange", exchange_router)
