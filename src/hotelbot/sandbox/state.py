"""The sandbox's memory: what the bot sent, what guests wrote, uploaded media, fault switches.

One `Sandbox` object lives on `app.state.sandbox`. It is the whole fake: routes only translate
HTTP to its methods. Webhooks (guest messages, statuses) are signed with the app secret and
posted to the bot; status deliveries run as background tasks that `drain()` waits for.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import random
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import structlog

from hotelbot.kit.http import pool_limits
from hotelbot.sandbox import DEMO_DISPLAY_NUMBER, DEMO_PHONE_NUMBER_ID, DEMO_WABA_ID, meta
from hotelbot.whatsapp.signature import sign

log = structlog.get_logger(__name__)

WINDOW = timedelta(hours=24)
#: Meta keeps media for 30 days; a download URL from `GET /{media-id}` works for 5 minutes.
MEDIA_TTL = timedelta(days=30)
MEDIA_URL_TTL = timedelta(minutes=5)
#: How long the typing indicator shows unless a reply comes first (Meta: 25 seconds).
TYPING_FOR = timedelta(seconds=25)
STATUS_ORDER = ("sent", "delivered", "read")
#: Pauses before each new attempt at a webhook the bot did not take (Meta retries for days,
#: backing off). Starting at seconds, not milliseconds, keeps an overloaded bot from a storm.
REDELIVERY_PAUSES = (5.0, 10.0, 20.0, 40.0)
#: What a refused send means, in words a person testing the bot understands.
REFUSALS = {
    meta.OUTSIDE_WINDOW.code: "Not delivered: WhatsApp's 24-hour rule (code 131047). The guest "
    "last wrote more than 24 hours ago, so the business may only send a template message until "
    "the guest writes again.",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Faults:
    """Switches for `/sandbox/api/faults`; rates are probabilities per send attempt."""

    throttle_rate: float = 0.0
    server_error_rate: float = 0.0
    #: Refuse every free-form send with 131047, whatever the guest's window.
    outside_window: bool = False
    #: Deliver sent/delivered/read status webhooks after each accepted send.
    statuses: bool = True
    #: Pause between successive status webhooks, in milliseconds.
    status_delay_ms: int = 300
    seed: int | None = None
    #: Media downloads (the lookaside URL) answer 500, as when Meta's CDN fails.
    media_download_failure: bool = False


@dataclass
class Media:
    id: str
    data: bytes
    mime_type: str
    filename: str
    phone_number_id: str
    stored_at: datetime

    def info(self, url: str) -> dict[str, Any]:
        return {
            "messaging_product": "whatsapp",
            "url": url,
            "mime_type": self.mime_type,
            "sha256": hashlib.sha256(self.data).hexdigest(),
            "file_size": len(self.data),
            "id": self.id,
        }


@dataclass
class Event:
    """One message in a sandbox conversation, either direction."""

    seq: int
    direction: str  # "in" (guest → bot) or "out" (bot → guest)
    phone_number_id: str
    wa_id: str
    wamid: str
    type: str
    at: str
    payload: dict[str, Any]
    status: str | None = None
    #: Why a send was refused (`status` "failed"): Meta's code, title and details, and a
    #: sentence for the simulator page and `hotelbot chat`.
    error: dict[str, Any] | None = None


@dataclass
class Sandbox:
    """In-memory Cloud API: the bot's sends, guests' messages, media and fault switches."""

    app_secret: str
    access_token: str
    webhook_url: str
    webhook_transport: httpx.AsyncBaseTransport | None = None
    clock: Callable[[], datetime] = utcnow
    faults: Faults = field(default_factory=Faults)
    redelivery_pauses: tuple[float, ...] = REDELIVERY_PAUSES
    events: list[Event] = field(default_factory=list)
    last_inbound: dict[str, datetime] = field(default_factory=dict)
    typing_until: dict[str, datetime] = field(default_factory=dict)
    media: dict[str, Media] = field(default_factory=dict)
    _rng: random.Random = field(default_factory=random.Random)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _http: httpx.AsyncClient | None = None

    # ---- faults -------------------------------------------------------------------------------

    def set_faults(self, faults: Faults) -> None:
        self.faults = faults
        self._rng = random.Random(faults.seed)

    def injected_fault(self) -> meta.MetaError | None:
        """Roll the dice for one send attempt."""
        roll = self._rng.random()
        if roll < self.faults.throttle_rate:
            return meta.THROTTLED
        if roll < self.faults.throttle_rate + self.faults.server_error_rate:
            return meta.SERVER_ERROR
        return None

    # ---- outbound (bot → guest) ---------------------------------------------------------------

    def in_window(self, wa_id: str) -> bool:
        if self.faults.outside_window:
            return False
        last = self.last_inbound.get(wa_id)
        # A number the sandbox never delivered a message from may have written through a
        # webhook signed elsewhere (curl, a test): the sandbox cannot know, so it lets it pass.
        return last is None or self.clock() - last < WINDOW

    def record_send(self, phone_number_id: str, body: dict[str, Any]) -> Event:
        """Store an accepted send and schedule its status webhooks."""
        wa_id = meta.wa_id_of(body["to"])
        event = self._append("out", phone_number_id, wa_id, meta.new_wamid(), body)
        event.status = "accepted"
        self.typing_until.pop(wa_id, None)
        if self.faults.statuses:
            self._spawn(self._deliver_statuses(event, body.get("biz_opaque_callback_data")))
        return event

    def record_refusal(
        self, phone_number_id: str, body: dict[str, Any], error: meta.MetaError
    ) -> Event:
        """Keep a send Meta refused for good (the 24-hour rule), so people can see why no reply
        came; it has no wamid, since Meta never accepted it."""
        event = self._append("out", phone_number_id, meta.wa_id_of(body["to"]), "", body)
        event.status = "failed"
        self.typing_until.pop(event.wa_id, None)  # the bot is done with this reply
        event.error = {
            "code": error.code,
            "title": error.title,
            "details": error.details,
            "explanation": REFUSALS.get(error.code, error.message),
        }
        return event

    def mark_read(self, body: dict[str, Any]) -> bool:
        """Apply a read receipt (and typing indicator); False when the wamid is not a guest's."""
        event = self._find("in", body.get("message_id"))
        if event is None:
            return False
        event.status = "read"
        if isinstance(body.get("typing_indicator"), dict):
            self.typing_until[event.wa_id] = self.clock() + TYPING_FOR
        return True

    def sent(self) -> list[dict[str, Any]]:
        """What the bot sent, oldest first (the `/sandbox/api/sent` format)."""
        return [
            _listed(e) | {"wamid": e.wamid, "status": e.status}
            for e in self.events
            if e.direction == "out" and e.error is None
        ]

    def refused(self) -> list[dict[str, Any]]:
        """Sends Meta refused for good, oldest first (the `/sandbox/api/refused` format)."""
        return [
            _listed(e) | {"error": e.error}
            for e in self.events
            if e.direction == "out" and e.error is not None
        ]

    def clear_sent(self) -> None:
        self.events = [e for e in self.events if e.direction != "out"]

    # ---- inbound (guest → bot) ----------------------------------------------------------------

    async def receive_from_guest(
        self,
        *,
        wa_id: str,
        name: str,
        content: dict[str, Any],
        phone_number_id: str = DEMO_PHONE_NUMBER_ID,
    ) -> tuple[Event, int | None]:
        """A guest writes: record it, open their window, deliver the signed webhook.

        Returns the event and the bot's HTTP status (None when the bot could not be reached).
        """
        wamid = meta.new_wamid()
        now = self.clock()
        value = meta.guest_message_value(
            wa_id=wa_id, name=name, wamid=wamid, timestamp=int(now.timestamp()), content=content
        )
        event = self._append("in", phone_number_id, wa_id, wamid, value["messages"][0])
        self.last_inbound[wa_id] = now
        status = await self.deliver(phone_number_id, value)
        event.status = "delivered" if status is not None and status < 300 else "failed"
        if _should_retry(status):
            self._spawn(self._redeliver(phone_number_id, value, event))
        return event, status

    def conversation(self, wa_id: str, *, after: int = 0) -> dict[str, Any]:
        typing = self.typing_until.get(wa_id)
        return {
            "wa_id": wa_id,
            "typing": typing is not None and typing > self.clock(),
            "messages": [asdict(e) for e in self.events if e.wa_id == wa_id and e.seq > after],
        }

    # ---- media --------------------------------------------------------------------------------

    def store_media(self, phone_number_id: str, data: bytes, mime_type: str, filename: str) -> str:
        media_id = str(secrets.randbelow(9 * 10**15) + 10**15)
        self.media[media_id] = Media(
            media_id, data, mime_type, filename, phone_number_id, stored_at=self.clock()
        )
        return media_id

    def get_media(self, media_id: str) -> Media | None:
        """The media, unless unknown, deleted or older than Meta keeps it (then it is gone)."""
        media = self.media.get(media_id)
        if media is not None and self.clock() - media.stored_at >= MEDIA_TTL:
            del self.media[media_id]
            return None
        return media

    def expire_media(self, media_id: str) -> bool:
        """Age a media id past Meta's retention (`/sandbox/api/media/{id}/expire`)."""
        media = self.media.get(media_id)
        if media is None:
            return False
        media.stored_at = self.clock() - MEDIA_TTL
        return True

    def media_url_token(self, media_id: str, expires: int) -> str:
        """Signs a download URL so it works only for its media id and until `expires`."""
        message = f"{media_id}:{expires}".encode()
        return hmac.new(self.app_secret.encode(), message, hashlib.sha256).hexdigest()[:32]

    def media_url_valid(self, media_id: str, expires: int, token: str) -> bool:
        if self.clock().timestamp() >= expires:
            return False
        return hmac.compare_digest(token, self.media_url_token(media_id, expires))

    # ---- webhook delivery ---------------------------------------------------------------------

    async def deliver(self, phone_number_id: str, value: dict[str, Any]) -> int | None:
        """POST one signed envelope to the bot's webhook; the bot's status, or None if down."""
        display = DEMO_DISPLAY_NUMBER if phone_number_id == DEMO_PHONE_NUMBER_ID else "15550199"
        body = orjson.dumps(meta.envelope(DEMO_WABA_ID, phone_number_id, display, value))
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(self.app_secret, body),
        }
        try:
            response = await self._client().post(self.webhook_url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            log.warning("sandbox.webhook.unreachable", error=type(exc).__name__)
            return None
        if response.status_code >= 300:
            log.warning("sandbox.webhook.refused", status=response.status_code)
        return response.status_code

    async def _redeliver(
        self, phone_number_id: str, value: dict[str, Any], guest_message: Event | None = None
    ) -> None:
        """Like Meta, try a failed delivery again with growing pauses (the bot dedups by wamid)."""
        for pause in self.redelivery_pauses:
            await asyncio.sleep(pause)
            status = await self.deliver(phone_number_id, value)
            if not _should_retry(status):
                if guest_message is not None:
                    guest_message.status = "delivered" if status and status < 300 else "failed"
                return

    async def _deliver_statuses(self, event: Event, callback_data: str | None) -> None:
        conversation_id = secrets.token_hex(16)
        for status in STATUS_ORDER:
            if self.faults.status_delay_ms > 0:
                await asyncio.sleep(self.faults.status_delay_ms / 1000)
            event.status = status
            value = meta.status_value(
                wamid=event.wamid,
                status=status,
                recipient=event.wa_id,
                timestamp=int(self.clock().timestamp()),
                conversation_id=conversation_id,
                callback_data=callback_data,
            )
            if _should_retry(await self.deliver(event.phone_number_id, value)):
                self._spawn(self._redeliver(event.phone_number_id, value))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every background webhook delivery has finished (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                transport=self.webhook_transport, timeout=10, limits=pool_limits()
            )
        return self._http

    # ---- helpers ------------------------------------------------------------------------------

    def _append(
        self, direction: str, phone_number_id: str, wa_id: str, wamid: str, payload: dict[str, Any]
    ) -> Event:
        event = Event(
            seq=len(self.events) + 1 if not self.events else self.events[-1].seq + 1,
            direction=direction,
            phone_number_id=phone_number_id,
            wa_id=wa_id,
            wamid=wamid,
            type=str(payload.get("type", "text")),
            at=self.clock().isoformat(),
            payload=payload,
        )
        self.events.append(event)
        return event

    def _find(self, direction: str, wamid: Any) -> Event | None:
        return next((e for e in self.events if e.direction == direction and e.wamid == wamid), None)

    def find_out(self, wamid: str) -> Event | None:
        return self._find("out", wamid)


def _listed(event: Event) -> dict[str, Any]:
    """What `/sandbox/api/sent` and `/sandbox/api/refused` show of a send."""
    return {
        "phone_number_id": event.phone_number_id,
        "to": event.payload["to"],
        "wa_id": event.wa_id,
        "type": event.type,
        "payload": event.payload,
        "at": event.at,
    }


def _should_retry(status: int | None) -> bool:
    """Unreachable or a server error: Meta keeps trying. A 4xx answer is final."""
    return status is None or status >= 500
