"""The resident's record page (居民健康档案): what every hospital pushed for a patient, with
what other apps add, as a timeline with filters and lab trends. The view parses, asks the
selectors and renders."""

from __future__ import annotations

import uuid

from django.http import HttpResponse, QueryDict
from django.shortcuts import render

from xietong.core.actor import Actor
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view, fetch_intent
from xietong.patients.selectors import get_patient_for

from .ehr.selectors import EhrCriteria, ehr_timeline_for
from .ehr_forms import EhrFilterForm


@actor_view
def patient_record(request: ActorRequest, actor: Actor, patient_uuid: uuid.UUID) -> HttpResponse:
    # Missing and not visible alike: 404, the refusal recorded and nothing else read.
    patient = get_patient_for(actor=actor, patient_uuid=patient_uuid, intent=fetch_intent(request))
    form = EhrFilterForm(request.GET or None)
    form.is_valid()  # the valid filters apply; an invalid one shows its error and is left out
    criteria = form.criteria()
    timeline = ehr_timeline_for(
        actor=actor, patient=patient, criteria=criteria, page_number=request.GET.get("page")
    )
    form.institutions_offer(timeline.institutions)
    # The pages keep the filters given (the empty ones left out).
    query = QueryDict(mutable=True)
    for name in ("kind", "since", "until", "institution"):
        if request.GET.get(name):
            query[name] = request.GET[name]
    context = {
        "patient": patient, "form": form, "timeline": timeline, "page": timeline.page,
        "query": query.urlencode(), "filtered": criteria != EhrCriteria(),
    }  # fmt: skip
    return render(request, "exchange/ehr.html", context)
