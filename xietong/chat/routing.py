"""This app's WebSocket routes (collected by config/websockets.py)."""

from django.urls import URLPattern, URLResolver, path

from .consumers import ThreadConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    path("ws/threads/<uuid:thread_uuid>/", ThreadConsumer.as_asgi()),
]
