"""/api/v1/referrals: create, read, list, every transition as POST /{uuid}/<action>, the
slip, the slots and institutions a referral may go to, and the desk's arrivals. One handler
per operation, named after what it does, in the file of the side that takes it (as the
services are split): handlers parse, call one service or selector and shape the answer;
refusals answer 403/404/409/422."""

from . import care, desk, reads, requests  # noqa: F401 (each registers its operations)
from ._common import router

__all__ = ["router"]
