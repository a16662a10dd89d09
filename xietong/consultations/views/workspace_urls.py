"""The workspace side: the consultation page, its opinion and the day's board."""

from django.urls import URLPattern, path

from . import board, opinion, opinion_pdf, workspace

urlpatterns: list[URLPattern] = [
    path("board/", board.board, name="board"),
    path("<uuid:consultation_uuid>/", workspace.detail, name="detail"),
    path("<uuid:consultation_uuid>/start", workspace.start, name="start"),
    path("<uuid:consultation_uuid>/acknowledge", workspace.acknowledge, name="acknowledge"),
    path("<uuid:consultation_uuid>/opinion/", opinion.editor, name="opinion"),
    path("<uuid:consultation_uuid>/opinion/sign", opinion.sign, name="opinion_sign"),
    path("<uuid:consultation_uuid>/opinion/correct", opinion.correct, name="opinion_correct"),
    path(
        "<uuid:consultation_uuid>/opinion/v<int:version>.pdf",
        opinion_pdf.download,
        name="opinion_pdf",
    ),
]
