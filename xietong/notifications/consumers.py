"""The bell's live count: one socket per open page, in a group per user. Signing out
closes the session's sockets (core/sockets.py)."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from xietong.core.sockets import SessionBoundConsumer

from .live import unread_count, user_group

CLOSE_UNAUTHENTICATED = 4401


class NotificationsConsumer(SessionBoundConsumer):
    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.session_join()
        await self.accept()
        count = await database_sync_to_async(unread_count)(user.pk)
        await self.send_json({"type": "unread", "count": count})

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            self.group = None
        await self.session_leave()

    async def session_ended(self, event: dict[str, Any]) -> None:
        await self._leave()  # no count may follow the close
        await super().session_ended(event)

    async def unread_changed(self, event: dict[str, Any]) -> None:
        """Counted here, when it changed, for this open page only (live.py)."""
        user = self.scope["user"]
        count = await database_sync_to_async(unread_count)(user.pk)
        await self.send_json({"type": "unread", "count": count})
