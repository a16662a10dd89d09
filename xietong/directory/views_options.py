"""Options for the searchable pickers of other apps' forms (core/xietong.js: a select with
`data-search-url` asks here as the user types): the whole expert library, every
institution, every region and the whole ICD-10 code list are searched, never a first page
of them. Signed-in users only; nothing here is patient data. Answers
`{"options": [{"value", "text"}]}`."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from xietong.core.errors import ValidationFailed

from . import selectors
from .models import DiagnosisCode, Expert, Institution, Region

# As many as a picker's list shows before the user types on.
LIMIT = 20


def expert_option_text(expert: Expert) -> str:
    """How a picker names an expert: name · title · institution · department."""
    p = expert.practitioner
    parts = [p.name, p.get_title_display(), p.institution.name]
    if p.department is not None:
        parts.append(p.department.label)
    return " · ".join(str(part) for part in parts)


def institution_option_text(institution: Institution) -> str:
    return " · ".join(
        str(part)
        for part in (institution.name, institution.get_level_display(), institution.region.name)
    )


def diagnosis_option_text(diagnosis: DiagnosisCode) -> str:
    """How a picker names a diagnosis: the code and its title ("I21.4 急性心内膜下心肌梗死")."""
    return f"{diagnosis.code} {diagnosis.title}".strip()


def region_option_text(region: Region) -> str:
    """name · parent's name · level: a village's name alone repeats across counties."""
    parts = [region.name, region.parent.name if region.parent else "", region.get_level_display()]
    return " · ".join(str(part) for part in parts if part)


def _refused(status: int) -> JsonResponse:
    return JsonResponse({"options": []}, status=status)


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:60]


@require_GET
def experts(request: HttpRequest) -> JsonResponse:
    """Up to 20 experts who accept requests, whose name, institution, department or special
    interest holds every word of `q`, ranked as the library ranks them. `service`
    (optional) keeps those who accept that service. The value is the practitioner's key,
    as forms send an expert."""
    if not request.user.is_authenticated:
        return _refused(401)
    try:
        found = selectors.expert_search(
            q=_query(request), service=request.GET.get("service") or None, limit=LIMIT
        )
        options = [
            {"value": str(e.practitioner.uuid), "text": expert_option_text(e)} for e in found
        ]
    except ValidationFailed:
        return _refused(400)
    return JsonResponse({"options": options})


@require_GET
def institutions(request: HttpRequest) -> JsonResponse:
    """Up to 20 active institutions whose name (or short name, or code) holds every word of
    `q`, higher levels first. The value is the institution's key."""
    if not request.user.is_authenticated:
        return _refused(401)
    found = selectors.institutions_in_region(q=_query(request))[:LIMIT]
    options = [{"value": str(i.uuid), "text": institution_option_text(i)} for i in found]
    return JsonResponse({"options": options})


@require_GET
def diagnoses(request: HttpRequest) -> JsonResponse:
    """Up to 20 ICD-10 codes: `q` is a code's beginning (I21, I21.4) or words that are all in
    the Chinese or English title. The value is the code, as the forms send it."""
    if not request.user.is_authenticated:
        return _refused(401)
    found = selectors.diagnosis_code_search(q=_query(request), limit=LIMIT)
    options = [{"value": d.code, "text": diagnosis_option_text(d)} for d in found]
    return JsonResponse({"options": options})


@require_GET
def regions(request: HttpRequest) -> JsonResponse:
    """Up to 20 regions whose name holds every word of `q` (digits may begin the code),
    higher levels first. The value is the region's code (GB/T 2260), as forms send it."""
    if not request.user.is_authenticated:
        return _refused(401)
    found = selectors.region_search(q=_query(request), limit=LIMIT)
    options = [{"value": r.code, "text": region_option_text(r)} for r in found]
    return JsonResponse({"options": options})
