"""The teaching files' pages: make one from a study the person may see, list those they
see, download one."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from xietong.core.actor import Actor
from xietong.core.errors import ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view
from xietong.core.reads import CHANGE

from ..models import Study
from ..sections import study_rows
from ..selectors import get_study_for
from .access import can_make_teaching_files, can_see_teaching_files
from .deidentify import METHOD
from .selectors import get_teaching_file_for, teaching_files_for
from .services import TITLE_MAX, teaching_file_make


class TeachingFileForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=TITLE_MAX,
        help_text=gettext_lazy("What the case teaches, e.g. “典型大叶性肺炎 CT 表现”."),
    )


def _title_suggested(study: Study, body_parts: list[str]) -> str:
    """What the study says of itself, for the person to make into a teaching title."""
    words = [study.modalities.strip("/").replace("/", " "), *body_parts, study.study_description]
    return " ".join(w for w in words if w)[:TITLE_MAX]


@require_http_methods(["GET", "POST"])
@actor_view(allowed=can_make_teaching_files)
def teaching_file_new(request: ActorRequest, actor: Actor, study_uid: str) -> HttpResponse:
    """The study (fetched as any page fetches it: 404 for who may not see it) and a title;
    on POST the copy is made, or the form says why not and nothing is made."""
    if request.method == "POST":
        study = get_study_for(actor=actor, study_uid=study_uid, intent=CHANGE)
        form = TeachingFileForm(request.POST)
        if form.is_valid():
            try:
                title = form.cleaned_data["title"]
                made = teaching_file_make(actor=actor, study=study, title=title)
            except ValidationFailed as exc:
                for field, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, str(error))
            else:
                messages.success(
                    request,
                    _("Teaching file %(number)s is made; it names no patient.")
                    % {"number": made.number},
                )
                return redirect("imaging:teaching_list")
    else:
        study = get_study_for(actor=actor, study_uid=study_uid)
        form = None
    row = study_rows([study])[0]
    if form is None:
        form = TeachingFileForm(initial={"title": _title_suggested(study, row.body_part_labels)})
    return render(request, "imaging/teaching_new.html",
                  {"row": row, "form": form, "method": METHOD})  # fmt: skip


@require_GET
@actor_view(allowed=can_see_teaching_files)
def teaching_list(request: ActorRequest, actor: Actor) -> HttpResponse:
    files = list(teaching_files_for(actor=actor)[:200])
    return render(request, "imaging/teaching_list.html", {"files": files})


@require_GET
@actor_view(allowed=can_see_teaching_files)
def teaching_download(request: ActorRequest, actor: Actor, file_uuid: uuid.UUID) -> FileResponse:
    found = get_teaching_file_for(actor=actor, file_uuid=file_uuid)
    return FileResponse(default_storage.open(found.file, "rb"), as_attachment=True,
                        filename=f"{found.number}.zip", content_type="application/zip")  # fmt: skip
