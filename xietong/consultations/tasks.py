"""Background work of consultations (django-tasks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from xietong.core.actor import Actor
from xietong.core.clock import periodic_register
from xietong.core.events import event_subscribe
from xietong.core.tasks_lease import task_lease_register

from .deadlines import deadlines_check
from .models import Opinion
from .services.filing import OPINION_TO_FILE, opinion_file


@task()
def consultation_deadlines_task() -> int:
    """Run every few minutes (the `consultation_deadlines` command enqueues it)."""
    return deadlines_check()


# A lost check is not run again: the clock queues the next one within a minute.
task_lease_register(consultation_deadlines_task, max_attempts=1)


@task()
def opinion_file_task(*, opinion_id: int, membership_id: int) -> str:
    """Renders a signed opinion's PDF and files it to the patient's records, off the request
    that signed it (rendering takes a few hundred milliseconds). Safe to run again."""
    from xietong.accounts.actors import actor_for_membership
    from xietong.accounts.models import Membership

    opinion = Opinion.objects.select_related("consultation__patient").get(pk=opinion_id)
    if opinion.document_uuid:
        return str(opinion.document_uuid)  # filed already: a retry adds no second copy
    membership = Membership.objects.select_related("institution").get(pk=membership_id)
    opinion_file(actor=actor_for_membership(membership), opinion=opinion)
    opinion.refresh_from_db()
    return str(opinion.document_uuid or "")


# A signed opinion missing from the records is worth more tries than the default; each one
# renders a few pages, and a retry files nothing twice (opinion_file).
task_lease_register(opinion_file_task, max_attempts=5)


@event_subscribe(OPINION_TO_FILE)
def opinion_file_enqueue(name: str, payload: dict[str, Any]) -> None:
    """After a signature commits: file the opinion in the background, or now when the
    signer acts through no membership a worker could act through later."""
    actor: Actor = payload["actor"]
    if actor.membership_id is None:
        opinion_file(actor=actor, opinion=Opinion.objects.get(pk=payload["opinion_id"]))
        return
    opinion_file_task.enqueue(opinion_id=payload["opinion_id"], membership_id=actor.membership_id)


def periodic_jobs_register() -> None:
    """Deadlines are checked every minute by the clock (`./xt manage clock`)."""
    periodic_register(
        "consultation deadlines",
        every=dt.timedelta(minutes=1),
        enqueue=consultation_deadlines_task.enqueue,
    )
