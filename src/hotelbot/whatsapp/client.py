"""`GraphClient`: the one way hotelbot talks to the WhatsApp Cloud API (send, read, media).

One `httpx.AsyncClient` (keep-alive) per process. Every call goes through `_request`, the only
place that turns Graph error bodies, network errors and timeouts into `whatsapp.errors` types.
There is no retry loop here: the outbox job decides from `error.retryable`. Sends are paced per
phone number by a token bucket so we stay under the number's throughput tier.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from hotelbot.kit.http import pool_limits
from hotelbot.kit.ratelimit import Clock, KeyedRateLimiter, Sleep
from hotelbot.metrics import GRAPH_ERRORS, GRAPH_LATENCY, GRAPH_REQUESTS, WINDOW_REFUSALS
from hotelbot.whatsapp.errors import (
    GraphApiError,
    MediaTooLarge,
    OutsideWindow,
    ServiceUnavailable,
    error_code_label,
    error_from_response,
)
from hotelbot.whatsapp.outbound import mark_read_body

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class SendResult:
    #: Meta's id for the message we sent; status webhooks refer to it.
    wamid: str


class GraphClient:
    """Async client for the WhatsApp Cloud API endpoints hotelbot uses.

    Args:
        base_url: Graph root including the version, e.g. `https://graph.facebook.com/v23.0`
            (or the sandbox's `http://127.0.0.1:8000/sandbox/graph/v23.0`).
        access_token: System-user access token, sent as a bearer token.
        transport: httpx transport (tests pass `httpx.ASGITransport(app=sandbox)`).
        messages_per_second: Send throughput per phone number (Cloud API default: 80).
        timeout: Seconds before a call is abandoned (and reported as `ServiceUnavailable`).
        clock: Monotonic clock for pacing; inject a fake in tests.
        sleep: Async sleep for pacing; inject a fake in tests.
    """

    def __init__(
        self,
        base_url: str,
        access_token: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        messages_per_second: float = 80,
        timeout: float = 10,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=timeout,
            headers={"Authorization": f"Bearer {access_token}"},
            limits=pool_limits(),
        )
        self._pacer = KeyedRateLimiter(messages_per_second, clock=clock, sleep=sleep)

    async def send(self, phone_number_id: str, payload: dict[str, Any]) -> SendResult:
        """Send one message (a body from `whatsapp.outbound.render`).

        Mirrors https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages

        Args:
            phone_number_id: The business number sending the message.
            payload: The exact request body.

        Returns:
            The `wamid` Meta assigned to the message.

        Raises:
            GraphApiError: a subclass from `whatsapp.errors`; check `retryable`.
        """
        await self._pacer.acquire(phone_number_id)
        data = await self._request("send", "POST", f"/{phone_number_id}/messages", json=payload)
        try:
            return SendResult(wamid=str(data["messages"][0]["id"]))
        except (KeyError, IndexError, TypeError):
            # The message may have gone out: retrying could send it twice.
            raise GraphApiError("send answered without a message id", retryable=False) from None

    async def mark_read(self, phone_number_id: str, wamid: str, *, typing: bool = True) -> None:
        """Mark a guest message read (blue ticks) and optionally show the typing indicator.

        Mirrors https://developers.facebook.com/docs/whatsapp/cloud-api/typing-indicators

        Args:
            phone_number_id: The business number the guest wrote to.
            wamid: The guest message's id.
            typing: Also show "typing…" until we reply (or 25 seconds pass).

        Raises:
            GraphApiError: a subclass from `whatsapp.errors`; check `retryable`.
        """
        body = mark_read_body(wamid, typing=typing)
        await self._request("mark_read", "POST", f"/{phone_number_id}/messages", json=body)

    async def upload_media(
        self, phone_number_id: str, data: bytes, mime_type: str, filename: str
    ) -> str:
        """Upload a file so that messages can refer to it by id.

        Mirrors https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#upload-media

        Args:
            phone_number_id: The business number that will send the media.
            data: File content.
            mime_type: e.g. `image/jpeg`, `application/pdf`.
            filename: Name shown for documents.

        Returns:
            The media id.

        Raises:
            GraphApiError: a subclass from `whatsapp.errors`; check `retryable`.
        """
        result = await self._request(
            "upload_media",
            "POST",
            f"/{phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, data, mime_type)},
        )
        return str(result["id"])

    async def download_media(
        self, media_id: str, *, max_bytes: int | None = None
    ) -> tuple[bytes, str]:
        """Fetch a guest's media (voice note, photo, ...): look up its URL, then download it.

        The URL is valid for five minutes and wants the same bearer token; an expired or unknown
        media id answers Graph error 100 (`InvalidParameter`).
        Mirrors https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#download-media

        Args:
            media_id: The id from the inbound message.
            max_bytes: Refuse larger media (by its announced `file_size`, and by what arrives).

        Returns:
            The bytes and their MIME type.

        Raises:
            MediaTooLarge: the media is over `max_bytes`.
            GraphApiError: a subclass from `whatsapp.errors`; check `retryable`.
        """
        info = await self._request("media_info", "GET", f"/{media_id}")
        if max_bytes is not None and _int(info.get("file_size")) > max_bytes:
            raise MediaTooLarge(f"media of {info.get('file_size')} bytes", retryable=False)
        response = await self._send("download_media", "GET", str(info["url"]))
        if max_bytes is not None and len(response.content) > max_bytes:
            raise MediaTooLarge(f"media of {len(response.content)} bytes", retryable=False)
        return response.content, str(info.get("mime_type") or response.headers["content-type"])

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _request(self, operation: str, method: str, path: str, **kwargs: Any) -> Any:
        """Call a Graph endpoint under the base URL and return its decoded JSON body."""
        response = await self._send(operation, method, self._base_url + path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise GraphApiError(f"{operation} answered with a body that is not JSON") from None

    async def _send(self, operation: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """The one place errors are mapped: Graph error bodies, network errors and timeouts."""
        started = time.perf_counter()
        try:
            response = await self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            GRAPH_REQUESTS.labels(operation, "network").inc()
            log.warning(
                "whatsapp.graph.network_error", operation=operation, error=type(exc).__name__
            )
            raise ServiceUnavailable(f"{operation}: {type(exc).__name__}") from exc
        finally:
            GRAPH_LATENCY.labels(operation).observe(time.perf_counter() - started)
        if response.is_success:
            GRAPH_REQUESTS.labels(operation, "ok").inc()
            return response
        error = error_from_response(
            response.status_code, _json_or_none(response), retry_after=_retry_after(response)
        )
        GRAPH_REQUESTS.labels(operation, error.code).inc()
        GRAPH_ERRORS.labels(operation, error_code_label(error.graph_code)).inc()
        if isinstance(error, OutsideWindow):
            WINDOW_REFUSALS.labels(source="graph").inc()
        log.warning(
            "whatsapp.graph.error",
            operation=operation,
            error=error.code,
            graph_code=error.graph_code,
            subcode=error.subcode,
            http_status=error.http_status,
            fbtrace_id=error.fbtrace_id,
            retryable=error.retryable,
        )
        raise error


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["retry-after"])
    except (KeyError, ValueError):
        return None
