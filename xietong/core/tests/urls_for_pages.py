"""The project's URLs plus pages whose services refuse in each of the ways core/pages.py
maps, to see what a user gets."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns
from xietong.core.actor import Actor
from xietong.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from xietong.core.http import ActorRequest
from xietong.core.pages import actor_view

__all__ = ["urlpatterns"]


@actor_view
def conflict(request: ActorRequest, actor: Actor) -> HttpResponse:
    raise Conflict("Someone else has already taken this on.")


@actor_view(back="/test-pages/landing/")
def invalid(request: ActorRequest, actor: Actor) -> HttpResponse:
    raise ValidationFailed.single("reason", "Give a reason.")


@actor_view
def forbidden(request: ActorRequest, actor: Actor) -> HttpResponse:
    raise NotPermitted("Only the centre may do this.")


@actor_view
def missing(request: ActorRequest, actor: Actor) -> HttpResponse:
    raise NotFound()


@actor_view(allowed=lambda actor: actor.has_role("coordinator"))
def coordinators(request: ActorRequest, actor: Actor) -> HttpResponse:
    return HttpResponse(f"hello {actor.user_id}")


urlpatterns = [
    path("test-pages/conflict/", conflict),
    path("test-pages/invalid/", invalid),
    path("test-pages/forbidden/", forbidden),
    path("test-pages/missing/", missing),
    path("test-pages/coordinators/", coordinators),
    *urlpatterns,
]
