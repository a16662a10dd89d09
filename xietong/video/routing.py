"""This app's WebSocket routes (collected by config/websockets.py)."""

from django.urls import URLPattern, URLResolver, path

from .consumers import RoomConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    path("ws/video/<uuid:room_uuid>/", RoomConsumer.as_asgi()),
]
