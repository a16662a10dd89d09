"""The bell's live count: one socket per open page, in a group per user. Signing out
closes the session's sockets (core/sockets.py)."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async

from xietong.core.sockets import CLOSE_SIGNED_OUT, ActorConsumer

from .live import unread_count, user_group

CLOSE_UNAUTHENTICATED = CLOSE_SIGNED_OUT


class NotificationsConsumer(ActorConsumer):
    user_id = 0

    async def connect(self) -> None:
        # The person's own notifications, whichever membership they act through.
        user_id = await self.user_admit()
        if user_id is None:
            await self.refuse(CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user_id
        await self.groups_join(user_group(user_id))
        await self.accept()
        count = await database_sync_to_async(unread_count)(user_id)
        await self.send_json({"type": "unread", "count": count})

    async def unread_changed(self, event: dict[str, Any]) -> None:
        """Counted here, when it changed, for this open page only (live.py)."""
        count = await database_sync_to_async(unread_count)(self.user_id)
        await self.send_json({"type": "unread", "count": count})
