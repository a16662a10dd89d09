"""This app's WebSocket routes (collected by config/websockets.py)."""

from django.urls import URLPattern, URLResolver, path

from .consumers import NotificationsConsumer

websocket_urlpatterns: list[URLPattern | URLResolver] = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
]
