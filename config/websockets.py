"""WebSocket routes of every app, collected in one place like config/urls.py."""

from django.urls import URLPattern, URLResolver

from xietong.chat.routing import websocket_urlpatterns as chat_ws
from xietong.consultations.consumers import websocket_urlpatterns as consultations_ws
from xietong.imaging.reading.consumers import websocket_urlpatterns as reading_ws
from xietong.notifications.routing import websocket_urlpatterns as notifications_ws
from xietong.video.routing import websocket_urlpatterns as video_ws

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    *notifications_ws,
    *chat_ws,
    *video_ws,
    *consultations_ws,
    *reading_ws,
]
