"""Two readers claim the same study at the same moment: the row lock orders them, exactly
one wins, and the other is told, in Chinese, that it was claimed a moment ago."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import close_old_connections, connection

from xietong.core.errors import Conflict
from xietong.imaging.reading import services as svc
from xietong.imaging.reading.models import ReadingEvent, ReadingRequest, Status

from .world import world_build

postgres_only = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: SQLite serialises writers, so claims cannot race",
)


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_readers_claim_at_once_and_exactly_one_wins() -> None:
    w = world_build()
    r = w.request()
    readers = [w.reader, w.other_reader]
    seen = [ReadingRequest.objects.get(pk=r.pk) for _ in readers]  # both read it waiting
    start = threading.Barrier(2)
    won: list[int] = []
    refused: list[Conflict] = []
    errors: list[BaseException] = []

    def claim(i: int) -> None:
        try:
            start.wait(10)
            svc.reading_claim(actor=readers[i], reading=seen[i])
            won.append(readers[i].user_id)
        except Conflict as exc:
            refused.append(exc)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(won) == 1 and len(refused) == 1
    assert (
        str(refused[0].message)
        == "刚刚有其他人处理了该阅片申请，当前状态为“阅片中”，您无法执行“认领”。"
    )
    r.refresh_from_db()
    assert r.status == Status.READING and r.reader_id == won[0]
    assert ReadingEvent.objects.filter(reading=r, action="claim").count() == 1
