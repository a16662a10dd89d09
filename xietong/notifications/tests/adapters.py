"""SMS adapters for tests: a gateway that is down, and one that fails once."""

from __future__ import annotations

from typing import ClassVar


class GatewayDown:
    def send(self, *, phone: str, body: str) -> None:
        raise ConnectionError("gateway unreachable")


class FailsOnce:
    calls: ClassVar[list[str]] = []

    def send(self, *, phone: str, body: str) -> None:
        FailsOnce.calls.append(phone)
        if len(FailsOnce.calls) == 1:
            raise TimeoutError("gateway timed out")
