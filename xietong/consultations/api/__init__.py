"""/api/v1/consultations: create, read, list, every transition as POST /{uuid}/<action>,
the opinion, the timeline and today's board. One handler per operation, named after what it
does, in the file of the party that takes it (as in referrals): handlers parse, call one
service or selector and shape the answer; refusals answer 403/404/409/422."""

# The reads register first: /board must come before /{consultation_uuid}.
from . import reads  # noqa: I001 F401 (each module registers its operations)
from . import centre, experts, requests, studies  # noqa: F401
from ._common import router

__all__ = ["router"]
