"""Platform administrators see the background tasks that failed, and why; nobody else does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from xietong.accounts.models import User
from xietong.accounts.tests.factories import make_actor
from xietong.core.errors import NotFound
from xietong.core.tasks_failed import failed_tasks_card, failed_tasks_for
from xietong.core.tasks_lease import tasks_lease_recover

pytestmark = pytest.mark.django_db

FILING = "xietong.consultations.tasks.opinion_file_task"


def a_task(*, status: str, workers: int = 1, **fields: Any) -> DBTaskResult:
    return DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"opinion_id": 7, "membership_id": 3}},
        task_path=fields.pop("task_path", FILING),
        backend_name="default",
        run_after=get_date_max(),
        status=status,
        started_at=timezone.now() - dt.timedelta(hours=1),
        worker_ids=[f"w{n}" for n in range(workers)],
        **fields,
    )


def lost_for_good() -> DBTaskResult:
    # Its workers died under it on every attempt it had (5 for filing an opinion).
    lost = a_task(status=TaskResultStatus.RUNNING, workers=5)
    assert tasks_lease_recover().failed == [str(lost.pk)]
    return lost


def raised() -> DBTaskResult:
    return a_task(
        status=TaskResultStatus.FAILED,
        task_path="xietong.notifications.tasks.outbox_deliver",
        finished_at=timezone.now(),
        exception_class_path="builtins.ValueError",
        traceback="Traceback (most recent call last):\n  ...\nValueError: no such message\n",
    )


def signed_in(client: Client, *roles: str) -> None:
    actor = make_actor(*roles)
    client.force_login(User.objects.get(pk=actor.user_id))


def test_platform_admins_see_why_each_task_failed(client: Client) -> None:
    lost, error = lost_for_good(), raised()
    a_task(status=TaskResultStatus.SUCCESSFUL)
    signed_in(client, "platform_admin")

    page = client.get("/tasks/failed/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert str(lost.pk) in page and str(error.pk) in page
    assert "opinion_file_task" in page and "membership_id=3, opinion_id=7" in page
    assert "Its worker stopped before it finished, on each of 5 attempts." in page
    assert "ValueError: no such message" in page
    lost_only = client.get("/tasks/failed/?why=lost", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert str(lost.pk) in lost_only and str(error.pk) not in lost_only


def test_the_page_speaks_chinese_by_default(client: Client) -> None:
    lost_for_good()
    signed_in(client, "platform_admin")
    page = client.get("/tasks/failed/").content.decode()
    assert "失败的后台任务" in page and "执行它的工作进程在完成前停止（共尝试" in page


@pytest.mark.parametrize("roles", [("supervisor",), ("institution_admin",), ("requester",)])
def test_others_are_answered_as_if_there_were_no_such_page(
    client: Client, roles: tuple[str, ...]
) -> None:
    lost_for_good()
    signed_in(client, *roles)
    assert client.get("/tasks/failed/").status_code == 404
    with pytest.raises(NotFound):
        failed_tasks_for(actor=make_actor(*roles))


def test_admins_home_shows_a_card_while_tasks_failed_recently(client: Client) -> None:
    admin = make_actor("platform_admin")
    request = RequestFactory().get("/")
    assert failed_tasks_card(request, admin) == []  # nothing to do, no card
    lost_for_good()
    stale = raised()
    DBTaskResult.objects.filter(pk=stale.pk).update(
        finished_at=timezone.now() - dt.timedelta(days=8)
    )

    [card] = failed_tasks_card(request, admin)

    assert card.count == 1 and card.url == "/tasks/failed/"
    assert failed_tasks_card(request, make_actor("supervisor")) == []
    client.force_login(User.objects.get(pk=admin.user_id))
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Background tasks that failed, last 7 days" in home
