from __future__ import annotations

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema, Status

router = Router(tags=["health"])


class HealthOut(Schema):
    status: str


class HealthDown(Schema):
    status: str
    detail: str


@router.get("/health", response={200: HealthOut, 503: HealthDown}, auth=None)
def health(request: HttpRequest) -> Status[dict[str, str]]:
    """Answers ok when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Status(503, {"status": "unavailable", "detail": type(exc).__name__})
    return Status(200, {"status": "ok"})
