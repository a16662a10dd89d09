from __future__ import annotations

import datetime as dt
from typing import Any

from xietong.notifications.tasks import retry_delay


def test_the_delay_doubles_after_each_failure(settings: Any) -> None:
    settings.XT_OUTBOX_RETRY_SECONDS = 30
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [
        dt.timedelta(seconds=30),
        dt.timedelta(seconds=60),
        dt.timedelta(seconds=120),
        dt.timedelta(seconds=240),
    ]
