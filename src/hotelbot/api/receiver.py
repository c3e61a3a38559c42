"""`POST /webhooks/whatsapp` served as raw ASGI, in front of the FastAPI app.

Why this exists: webhook deliveries are the service's hottest path (issue 2 asks for
thousands a second per process), and serving them through FastAPI — routing, the Request
object, the exception middleware and our two ASGI middlewares — cost about half of the
server's CPU per delivery (docs/benchmarks.md). `WebhookReceiver` is the API app's outermost
middleware: it serves that one method and path itself and passes every other request to the
app untouched. (Outside FastAPI altogether would save a further ~2 % of a delivery's CPU, but
error reporting that wraps the Starlette app, such as Sentry's, would no longer see it.)

For its route it does what that stack did, so clients and operators see no difference: the
correlation id (a well-formed `X-Request-ID` or a new one, bound for the logs and echoed),
the HTTP metrics (same route label, status and duration), the body limit (413, also when no
Content-Length is sent), and the app's error answers and log lines (`api/errors.py`): 401 bad
signature, 400 not an envelope, 503 + Retry-After when the database is down or saturated.
Anything else propagates to the server, which answers 500, as before. Nothing here logs the
body, a header value or a phone number.
"""

from __future__ import annotations

import time

from prometheus_client import Counter
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from hotelbot import metrics
from hotelbot.api import webhook
from hotelbot.api.errors import (
    DATABASE_UNAVAILABLE,
    database_unavailable_response,
    hotelbot_error_response,
)
from hotelbot.errors import HotelbotError, PayloadTooLarge
from hotelbot.kit.logging import accepted_request_id, bind_correlation_id
from hotelbot.resources import Resources

_CONTENT_LENGTH = b"content-length"
_SIGNATURE = webhook.SIGNATURE_HEADER.lower().encode()
_REQUEST_ID = b"x-request-id"
_WANTED = frozenset({_CONTENT_LENGTH, _SIGNATURE, _REQUEST_ID})
_OK = [
    (b"content-length", str(len(webhook.OK_BODY)).encode()),
    (b"content-type", b"application/json"),
]


class WebhookReceiver:
    """ASGI middleware: `POST /webhooks/whatsapp` answered here, anything else by `app`."""

    def __init__(self, app: ASGIApp, *, resources: Resources) -> None:
        self.app = app
        self.resources = resources
        self._duration = metrics.HTTP_DURATION.labels(route=webhook.PATH)
        self._requests: dict[int, Counter] = {}
        self._delivered = metrics.WEBHOOK_REQUESTS.labels(outcome="ok")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and _is_webhook(scope):
            await self._serve(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers = _headers(scope)
        incoming = accepted_request_id(_text(headers.get(_REQUEST_ID)))
        status = 500  # what the metrics record if we raise (or the client leaves) unanswered
        try:
            with bind_correlation_id(incoming) as correlation_id:
                echo = (_REQUEST_ID, correlation_id.encode("latin-1"))
                status = await self._deliver(scope, receive, send, headers, echo)
        finally:
            self._duration.observe(time.perf_counter() - started)
            self._requests_with(status).inc()

    async def _deliver(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[bytes, bytes],
        echo: tuple[bytes, bytes],
    ) -> int:
        """Check, store and acknowledge one delivery; the status code it was answered with."""
        settings = self.resources.settings
        response: Response
        try:
            limit = settings.whatsapp.max_body_bytes
            body = await _read_body(receive, headers.get(_CONTENT_LENGTH), limit=limit)
            if body is None:
                return 500  # the client hung up mid-body: nobody to answer, nothing stored
            envelope = webhook.verified_envelope(settings, body, _text(headers.get(_SIGNATURE)))
        except HotelbotError as error:
            metrics.WEBHOOK_REQUESTS.labels(outcome=error.code).inc()
            response = hotelbot_error_response(error, webhook.PATH)
        else:
            try:
                # Returns once the transaction holding the delivery has committed.
                await webhook.store(self.resources, envelope)
            except HotelbotError as error:
                response = hotelbot_error_response(error, webhook.PATH)
            except DATABASE_UNAVAILABLE as error:
                response = database_unavailable_response(error, webhook.PATH)
            else:
                self._delivered.inc()
                start = {"type": "http.response.start", "status": 200, "headers": [*_OK, echo]}
                await send(start)
                await send({"type": "http.response.body", "body": webhook.OK_BODY})
                return 200
        response.raw_headers.append(echo)
        await response(scope, receive, send)
        return response.status_code

    def _requests_with(self, status: int) -> Counter:
        counter = self._requests.get(status)
        if counter is None:
            counter = metrics.HTTP_REQUESTS.labels(
                route=webhook.PATH, method="POST", status=str(status)
            )
            self._requests[status] = counter
        return counter


def _is_webhook(scope: Scope) -> bool:
    """The path as the app's router sees it (below any `root_path`) is the webhook's."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if root_path and path.startswith(root_path):
        path = path[len(root_path) :]
    return path == webhook.PATH


def _headers(scope: Scope) -> dict[bytes, bytes]:
    """The headers this route reads, first occurrence of each (as Starlette's `get`)."""
    found: dict[bytes, bytes] = {}
    for key, value in scope["headers"]:
        name = key.lower()
        if name in _WANTED and name not in found:
            found[name] = value
    return found


async def _read_body(receive: Receive, declared: bytes | None, *, limit: int) -> bytes | None:
    """The raw body, or None if the client left; 413 past `limit` whatever Content-Length says."""
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"webhook body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    more = True
    # Chunked or lying clients: count what actually arrives and stop at the limit.
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"webhook body over {limit} bytes")
        chunks.append(chunk)
        more = message.get("more_body", False)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _text(value: bytes | None) -> str | None:
    return value.decode("latin-1") if value is not None else None
