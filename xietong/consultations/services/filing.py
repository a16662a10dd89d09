"""Filing a signed opinion to the patient's records, as a PDF, off the request that signed
it. The signing services call `opinion_file_later`; the background task calls
`opinion_file`. Neither imports the other's module back."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from xietong.core.actor import Actor
from xietong.records import services as records

from ..models import Opinion
from ..pdf import opinion_pdf


def opinion_file_later(actor: Actor, opinion: Opinion) -> None:
    from ..tasks import opinion_file_task  # the task module imports this one

    if actor.membership_id is None:  # no membership to act through later: file it now
        opinion_file(actor=actor, opinion=opinion)
        return
    opinion_file_task.enqueue(opinion_id=opinion.pk, membership_id=actor.membership_id)


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
