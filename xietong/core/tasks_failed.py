"""The background tasks that failed, for platform administrators: those whose workers kept
dying under them (ADR 11) and those that raised. A page lists them with the reason, and a
home-page card says when any failed in the last days, since nobody else would notice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django_tasks_db.models import DBTaskResult

from .actor import Actor
from .errors import NotFound
from .home import HomeCard
from .http import ActorRequest
from .tasks_lease import TaskLost

PAGE_SIZE = 50
CARD_DAYS = 7
LOST = f"{TaskLost.__module__}.{TaskLost.__qualname__}"


def failed_tasks_readable_by(actor: Actor | None) -> bool:
    # Task arguments and errors name records of every institution: platform admins only.
    return actor is not None and actor.is_platform_admin


def failed_tasks_for(*, actor: Actor | None, why: str = "") -> QuerySet[DBTaskResult]:
    """Newest first; `why` is "lost" (the worker died) or "error" (the task raised)."""
    if not failed_tasks_readable_by(actor):
        raise NotFound()
    failed = DBTaskResult.objects.failed().order_by("-finished_at", "-enqueued_at")
    if why == "lost":
        failed = failed.filter(exception_class_path=LOST)
    elif why == "error":
        failed = failed.exclude(exception_class_path=LOST)
    return failed


@dataclass(frozen=True)
class FailedTask:
    id: str
    name: str
    arguments: str
    enqueued_at: dt.datetime | None
    finished_at: dt.datetime | None
    attempts: int
    lost: bool
    reason: str


def failed_task_row(*, result: DBTaskResult) -> FailedTask:
    attempts = len(result.worker_ids)
    lost = result.exception_class_path == LOST
    if lost:
        reason = ngettext(
            "Its worker stopped before it finished, on its only attempt.",
            "Its worker stopped before it finished, on each of %(attempts)d attempts.",
            attempts,
        ) % {"attempts": attempts}
    else:
        # The traceback's last line names the exception and its message.
        lines = [line for line in result.traceback.splitlines() if line.strip()]
        reason = lines[-1] if lines else result.exception_class_path
    kwargs = result.args_kwargs.get("kwargs") or {}
    args = [repr(a) for a in result.args_kwargs.get("args") or []]
    arguments = ", ".join(args + [f"{k}={v!r}" for k, v in sorted(kwargs.items())])
    return FailedTask(
        id=str(result.pk),
        name=result.task_path.rsplit(".", 1)[-1],
        arguments=arguments[:200],
        enqueued_at=result.enqueued_at,
        finished_at=result.finished_at,
        attempts=attempts,
        lost=lost,
        reason=reason[:300],
    )


def failed_tasks_card(request: HttpRequest, actor: Actor) -> list[HomeCard]:
    if not failed_tasks_readable_by(actor):
        return []
    since = timezone.now() - dt.timedelta(days=CARD_DAYS)
    count = failed_tasks_for(actor=actor).filter(finished_at__gte=since).count()
    if not count:
        return []
    return [
        HomeCard(
            title=gettext_lazy("Background tasks that failed, last 7 days"),
            body=gettext_lazy(
                "Work the platform does after a request (filing signed opinions, sending "
                "messages, deadline checks) that did not finish: which, and why."
            ),
            count=count,
            url=reverse("tasks:failed"),
            action=gettext_lazy("See the failed tasks"),
            order=11,
        )
    ]


@login_required
def failed_tasks_page(request: ActorRequest) -> HttpResponse:
    why = request.GET.get("why", "")
    why = why if why in {"lost", "error"} else ""
    results = failed_tasks_for(actor=getattr(request, "actor", None), why=why)
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [failed_task_row(result=result) for result in page.object_list]
    choices = [
        ("", pgettext("failed tasks", "All")),
        ("lost", _("Worker stopped")),
        ("error", _("Raised an error")),
    ]
    return render(
        request,
        "core/tasks_failed.html",
        {"page": page, "rows": rows, "why": why, "choices": choices},
    )
