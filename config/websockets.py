"""WebSocket routes of every app, collected in one place like config/urls.py."""

from django.urls import URLPattern, URLResolver

from xietong.conferencing.routing import websocket_urlpatterns as conferencing_ws
from xietong.consultations.consumers import websocket_urlpatterns as consultations_ws
from xietong.notifications.routing import websocket_urlpatterns as notifications_ws
from xietong.video.routing import websocket_urlpatterns as video_ws

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    *notifications_ws,
    *conferencing_ws,
    *video_ws,
    *consultations_ws,
]
