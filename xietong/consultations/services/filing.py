"""Filing a signed opinion to the patient's records, as a PDF, off the request that signed
it. The signing services call `opinion_file_later`; the background task calls
`opinion_file`. Neither imports the other's module back."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.core.events import event_emit
from xietong.records import services as records

from ..models import Opinion
from ..pdf import opinion_pdf

# After a signature commits, filing is asked for through the event bus: the task module
# subscribes (tasks.py), so the services never import the tasks that import them.
OPINION_TO_FILE = "consultation.opinion_to_file"


def opinion_file_later(actor: Actor, opinion: Opinion) -> None:
    """Call inside the signing transaction: filing starts once it commits."""
    event_emit(OPINION_TO_FILE, actor=actor, opinion_id=opinion.pk)


def opinion_file(*, actor: Actor, opinion: Opinion) -> None:
    """Render the signed opinion as PDF and file it to the patient's records, once.

    The document and the opinion's link to it are written in one transaction, under a lock
    on the opinion: a run that dies between the two leaves neither, and a second run (a
    retry after a lost worker, a duplicate task) finds the link and files nothing."""
    c = opinion.consultation
    content = opinion_pdf(opinion=opinion)  # before the lock: rendering takes a while
    with transaction.atomic():
        locked = Opinion.objects.select_for_update().get(pk=opinion.pk)
        if locked.document_uuid is not None:
            return
        document = records.document_store_generated(
            actor=actor,
            patient=c.patient,
            kind="consult_opinion",
            title=_("Consultation opinion %(number)s v%(version)d")
            % {"number": c.number, "version": opinion.version},
            content=content,
            content_type="application/pdf",
            source=c.source,
        )
        Opinion.objects.filter(pk=opinion.pk).update(document_uuid=document.uuid)
