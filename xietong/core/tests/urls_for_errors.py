"""The project's URLs plus views that fail on purpose, to see the error pages people get."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from config.urls import handler400, handler403, handler404, handler500, urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def refuses(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("tampered")


@require_POST
def form_post(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"fields: {len(request.POST)}")


urlpatterns = [
    path("test-errors/fails/", fails),
    path("test-errors/refuses/", refuses),
    path("test-errors/suspicious/", suspicious),
    path("test-errors/form/", form_post),
    path("api/test-errors/fails/", fails),
    path("api/test-errors/form/", form_post),
    *urlpatterns,
]
