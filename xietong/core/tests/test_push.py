"""Pushes from synchronous code reach the channel layer in the order they were made: with
Redis through the process's own sender loop (core/push.py), in memory at once."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from urllib.parse import urlparse

import pytest
from channels.layers import get_channel_layer
from django.test import override_settings

from xietong.core.push import channel_push

REDIS_URL = os.environ.get("XT_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_answers() -> bool:
    where = urlparse(REDIS_URL)
    try:
        with socket.create_connection((where.hostname or "", where.port or 6379), timeout=1):
            return True
    except OSError:
        return False


async def _received(layer: object, channel: str, count: int) -> list[int]:
    got = []
    for _ in range(count):
        message = await asyncio.wait_for(layer.receive(channel), timeout=5)  # type: ignore[attr-defined]
        got.append(message["n"])
    return got


def _pushed_in_order() -> list[int]:
    layer = get_channel_layer()
    group = f"xt.test.push.{uuid.uuid4().hex}"

    async def scenario() -> list[int]:
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        # Pushed from a thread of its own, as a request's code does.
        await asyncio.to_thread(
            channel_push, ((group, {"type": "test.note", "n": n}) for n in range(5))
        )
        return await _received(layer, channel, 5)

    return asyncio.run(scenario())


@pytest.mark.skipif(not _redis_answers(), reason=f"no Redis at {REDIS_URL}")
def test_pushes_reach_redis_through_the_sender_in_order() -> None:
    redis = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    with override_settings(CHANNEL_LAYERS=redis):
        assert _pushed_in_order() == [0, 1, 2, 3, 4]
        # The sender keeps its loop: a second round goes the same way.
        assert _pushed_in_order() == [0, 1, 2, 3, 4]


def test_pushes_reach_the_in_memory_layer_in_order() -> None:
    memory = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    with override_settings(CHANNEL_LAYERS=memory):
        assert _pushed_in_order() == [0, 1, 2, 3, 4]
