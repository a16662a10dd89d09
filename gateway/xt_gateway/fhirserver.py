"""The FHIR pass-through: a hospital system that speaks FHIR R4 posts to the gateway.

On the hospital's LAN, with a credential of its own (`Authorization: Bearer <credential>`,
set by the hospital's IT in `[fhir]`; it is not the platform's secret and never leaves the
machine). `POST <base>/<Type>` or `PUT <base>/<Type>/<id>` with one resource, `POST <base>`
with a batch or transaction Bundle. Answers once the messages are committed to the outbox
(fsynced): 201 for a new resource (200 for one already kept), the resource as sent; for a
Bundle 200 with a `batch-response`/`transaction-response`. Before anything is kept, refusals
are an OperationOutcome: 401 without the credential, 400 for what is not a resource we take
(naming the element), 413 over the size limit, 507 when the disk is too full. A Bundle is kept
whole or not at all.
"""

from __future__ import annotations

import hmac
import json
import logging
from http.server import ThreadingHTTPServer
from typing import Any

from .httpserve import JsonHandler, http_serve
from .mapping.common import Mapped
from .mapping.fhirpass import SUBJECT_OF, FhirInputError, map_bundle, map_resource
from .outbox import NewMessage, Outbox, OutboxFull

log = logging.getLogger("xt_gateway.fhir")

FHIR_JSON = "application/fhir+json; charset=utf-8"


def outcome(text: str, *, code: str, expression: str = "", severity: str = "error") -> dict:
    issue: dict[str, Any] = {"severity": severity, "code": code, "diagnostics": text}
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


class PassThrough:
    """Checks and keeps what one request carries; the HTTP handler only moves bytes."""

    def __init__(self, outbox: Outbox, *, institution: str, credential: str) -> None:
        self.outbox = outbox
        self.institution = institution
        self.credential = credential

    def receive(
        self, *, method: str, path: str, authorization: str, body: bytes
    ) -> tuple[int, Any]:
        expected = f"Bearer {self.credential}"
        if not hmac.compare_digest(authorization.encode(), expected.encode()):
            return 401, outcome("凭据无效 / invalid credential", code="login")
        parts = [p for p in path.split("/") if p]
        try:
            data = json.loads(body)
        except ValueError:
            return 400, outcome("不是 JSON / not JSON", code="structure")
        try:
            if method == "POST" and not parts:
                return self._keep_bundle(data)
            if (
                parts
                and parts[0] in SUBJECT_OF
                and (
                    (method == "POST" and len(parts) == 1) or (method == "PUT" and len(parts) == 2)
                )
            ):
                if not isinstance(data, dict) or data.get("resourceType") != parts[0]:
                    raise FhirInputError(
                        f"资源类型须为 {parts[0]} / resourceType must be {parts[0]}",
                        "resourceType",
                        "value",
                    )
                mapped = map_resource(data, institution=self.institution)
                (new,) = self._keep([mapped])
                return (201 if new else 200), data
        except FhirInputError as exc:
            return 400, outcome(exc.text, code=exc.code, expression=exc.expression)
        except OutboxFull as exc:
            log.error("FHIR input refused: %s", exc)
            return 507, outcome(
                f"磁盘空间不足,未接收 / disk full, not taken: {exc}", code="transient"
            )
        return 404, outcome(f"不支持 {method} {path} / not served here", code="not-supported")

    def _keep_bundle(self, data: Any) -> tuple[int, Any]:
        messages = map_bundle(data, institution=self.institution)
        new = self._keep(messages)
        kind = data["type"]
        if kind == "transaction":
            statuses = ["201 Created" if new[0] else "200 OK"] * len(data["entry"])
        else:
            statuses = ["201 Created" if n else "200 OK" for n in new]
        return 200, {
            "resourceType": "Bundle",
            "type": f"{kind}-response",
            "entry": [{"response": {"status": s}} for s in statuses],
        }

    def _keep(self, messages: list[Mapped]) -> list[bool]:
        new = self.outbox.put_all(
            [
                NewMessage(
                    message_id=m.message_id,
                    patient_key=m.patient_key,
                    kind="FHIR",
                    raw=json.dumps(m.bundle, ensure_ascii=False).encode(),
                    bundle=m.bundle,
                )
                for m in messages
            ]
        )
        log.info("FHIR: %d messages, %d new", len(messages), sum(new))
        return new


def make_fhir_server(
    receiver: PassThrough,
    *,
    host: str,
    port: int,
    base: str = "/fhir/R4",
    cert_file: str | None = None,
    key_file: str | None = None,
) -> ThreadingHTTPServer:
    base = base.rstrip("/")

    class Handler(JsonHandler):
        content_type = FHIR_JSON
        disable_nagle_algorithm = True

        def refusal(self, status: int, text: str, code: str) -> Any:
            return outcome(text, code=code)

        def _take(self) -> None:
            path = self.path.split("?", 1)[0].rstrip("/")
            if path != base and not path.startswith(base + "/"):
                self.answer(404, outcome("not found", code="not-found"))
                return
            body = self.body_read()
            if body is None:
                return
            status, payload = receiver.receive(
                method=self.command,
                path=path[len(base) :],
                authorization=self.headers.get("Authorization") or "",
                body=body,
            )
            self.answer(status, payload)

        do_POST = _take
        do_PUT = _take

    return http_serve(Handler, host=host, port=port, cert_file=cert_file, key_file=key_file)
