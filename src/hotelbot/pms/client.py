"""`PmsClient`: the only way the chatbot reaches PMS data (over HTTP, REST face).

Timeouts on every call; retries only for idempotent calls (GET, and POSTs that carry an
idempotency key); a circuit breaker so a dead PMS fails fast with `PmsUnavailable`; and a
short-lived availability cache (Redis or memory, `kit.cache`) that bookings, changes and
cancellations made through this client invalidate for their property.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
import structlog
from pydantic import BaseModel, TypeAdapter

import hotelbot.pms.schemas as pms
from hotelbot.kit.cache import Cache, MemoryCache, cache_from_url
from hotelbot.kit.http import pool_limits
from hotelbot.pms import errors
from hotelbot.settings import Settings

log = structlog.get_logger(__name__)
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
_RESERVATIONS = TypeAdapter(list[pms.Reservation])
_ROOM_TYPES = TypeAdapter(list[pms.RoomType])
_RATE_PLANS = TypeAdapter(list[pms.RatePlan])


class CircuitBreaker:
    """Opens after `failures` consecutive failures; after `cooldown_seconds` lets one trial
    call through (half-open): success closes it, failure opens it again."""

    def __init__(
        self,
        *,
        failures: int = 5,
        cooldown_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._threshold = failures
        self._cooldown = cooldown_seconds
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half_open" if self._clock() - self._opened_at >= self._cooldown else "open"

    def before_call(self) -> None:
        if self.state == "open":
            raise errors.PmsUnavailable("the PMS is unavailable (circuit open)")

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None

    def record_failure(self) -> None:
        self._failures += 1
        if self._failures >= self._threshold or self._opened_at is not None:
            self._opened_at = self._clock()


class PmsClient:
    """Async client of the PMS service.

    Args:
        base_url: Root of the PMS service (e.g. `http://pms:8000`); paths start at `/pms/v1`.
        token: Bearer token the service accepts for the properties this client uses.
        timeout_seconds: Bound on each HTTP attempt (connect, read, write, pool).
        transport: Optional httpx transport (tests use `httpx.ASGITransport(pms_app)`).
        cache: Availability cache; memory by default.
        cache_ttl_seconds: How long an availability answer is reused.
        retries: Extra attempts for idempotent calls that fail with `PmsUnavailable`.
        breaker: Circuit breaker shared by every call of this client.
        sleep: Awaitable sleep used between retries (injectable for tests).

    Raises (from every method):
        PmsUnavailable: the PMS cannot be reached, timed out, failed, or the breaker is open.
        PmsError subclasses: the typed error the PMS service answered with.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout_seconds: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
        cache: Cache | None = None,
        cache_ttl_seconds: float = 30.0,
        retries: int = 2,
        breaker: CircuitBreaker | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            transport=transport,
            timeout=httpx.Timeout(timeout_seconds),
            headers={"Authorization": f"Bearer {token}"},
            limits=pool_limits(),
        )
        self._cache = cache or MemoryCache()
        self._ttl = cache_ttl_seconds
        self._retries = retries
        self.breaker = breaker or CircuitBreaker()
        self._sleep = sleep

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        cache: Cache | None = None,
    ) -> PmsClient:
        """The chatbot's client: `pms.url` (or this process's own URL when the PMS is
        mounted in it), `pms.token`, Redis cache when `redis.url` is set."""
        config = settings.pms
        return cls(
            config.url or settings.base_url,
            config.token.get_secret_value(),
            timeout_seconds=config.timeout_seconds,
            transport=transport,
            cache=cache or cache_from_url(settings.redis.url),
            cache_ttl_seconds=config.availability_cache_seconds,
            breaker=CircuitBreaker(
                failures=config.breaker_failures, cooldown_seconds=config.breaker_cooldown_seconds
            ),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # ---- reads ---------------------------------------------------------------------------

    async def get_property(self, property: str | uuid.UUID) -> pms.Property:
        """The property by id or slug."""
        return pms.Property.model_validate(await self._get(f"/properties/{property}"))

    async def list_room_types(self, property: str | uuid.UUID) -> list[pms.RoomType]:
        return _ROOM_TYPES.validate_python(await self._get(f"/properties/{property}/room-types"))

    async def list_rate_plans(self, property: str | uuid.UUID) -> list[pms.RatePlan]:
        return _RATE_PLANS.validate_python(await self._get(f"/properties/{property}/rate-plans"))

    async def availability(
        self,
        property: str | uuid.UUID,
        check_in: dt.date,
        check_out: dt.date,
        occupancy: pms.Occupancy | None = None,
    ) -> pms.Availability:
        """Offers for the stay, served from the cache for `cache_ttl_seconds`.

        Returns:
            Availability with per-night prices, taxes and currency, cheapest offer first.
        """
        occupancy = occupancy or pms.Occupancy()
        generation = await self._cache.generation(_generation_key(property))
        key = (
            f"pms:avail:{property}:{generation}:{check_in}:{check_out}:{occupancy.adults}:"
            f"{','.join(map(str, occupancy.children_ages))}:{occupancy.rooms}"
        )
        cached = await self._cache.get(key)
        if cached is not None:
            return pms.Availability.model_validate_json(cached)
        params: dict[str, Any] = {
            "check_in": check_in.isoformat(),
            "check_out": check_out.isoformat(),
            "adults": occupancy.adults,
            "rooms": occupancy.rooms,
            "children": occupancy.children_ages,
        }
        found = pms.Availability.model_validate(
            await self._get(f"/properties/{property}/availability", params=params)
        )
        await self._cache.set(key, found.model_dump_json().encode(), ttl_seconds=self._ttl)
        return found

    async def quote(self, property: str | uuid.UUID, request: pms.QuoteRequest) -> pms.Quote:
        # A quote changes nothing, so it is retried like a read.
        body = await self._send("POST", f"/properties/{property}/quotes", request, retry=True)
        return pms.Quote.model_validate(body)

    async def get_reservation(self, property: str | uuid.UUID, reference: str) -> pms.Reservation:
        return pms.Reservation.model_validate(
            await self._get(f"/properties/{property}/reservations/{reference}")
        )

    async def list_reservations(
        self, property: str | uuid.UUID, contact: pms.GuestContact
    ) -> list[pms.Reservation]:
        """Reservations of the guest with this phone or email at the property."""
        params = contact.model_dump(exclude_none=True)
        body = await self._get(f"/properties/{property}/reservations", params=params)
        return _RESERVATIONS.validate_python(body)

    async def list_services(self, property: str | uuid.UUID) -> pms.ServiceCatalogue:
        return pms.ServiceCatalogue.model_validate(
            await self._get(f"/properties/{property}/services")
        )

    async def get_service_request(
        self, property: str | uuid.UUID, request_id: str
    ) -> pms.ServiceRequest:
        body = await self._get(f"/properties/{property}/service-requests/{request_id}")
        return pms.ServiceRequest.model_validate(body)

    # ---- writes --------------------------------------------------------------------------

    async def create_reservation(
        self, property: str | uuid.UUID, request: pms.ReservationCreate, *, idempotency_key: str
    ) -> pms.Reservation:
        """Book; safe to retry with the same `idempotency_key` (books once).

        Raises:
            RoomUnavailable: the room type sold out for a night of the stay.
            RateChanged: `request.expected_total` no longer matches the price.
        """
        path = f"/properties/{property}/reservations"
        body = await self._invalidating(
            property, self._send("POST", path, request, retry=True, key=idempotency_key)
        )
        return pms.Reservation.model_validate(body)

    async def modify_reservation(
        self, property: str | uuid.UUID, reference: str, change: pms.ReservationChange
    ) -> pms.Reservation:
        """Change dates/occupancy. Not retried: a lost answer is checked with a GET."""
        path = f"/properties/{property}/reservations/{reference}"
        body = await self._invalidating(property, self._send("PATCH", path, change))
        return pms.Reservation.model_validate(body)

    async def cancel_reservation(
        self, property: str | uuid.UUID, reference: str
    ) -> pms.Cancellation:
        """Cancel with the rate plan's fee. Not retried (it carries no idempotency key)."""
        path = f"/properties/{property}/reservations/{reference}/cancel"
        body = await self._invalidating(property, self._send("POST", path, None))
        return pms.Cancellation.model_validate(body)

    async def create_service_request(
        self, property: str | uuid.UUID, request: pms.ServiceRequestCreate, *, idempotency_key: str
    ) -> pms.ServiceRequest:
        path = f"/properties/{property}/service-requests"
        body = await self._send("POST", path, request, retry=True, key=idempotency_key)
        return pms.ServiceRequest.model_validate(body)

    # ---- plumbing ------------------------------------------------------------------------

    async def _invalidating(self, property: str | uuid.UUID, call: Awaitable[T]) -> T:
        """Run a write, then drop the property's cached availability (even when it failed:
        `RoomUnavailable` means the cached answer was already wrong)."""
        try:
            return await call
        finally:
            await self._cache.bump(_generation_key(property))

    async def _get(self, path: str, *, params: dict[str, Any] | None = None) -> Any:
        return await self._send("GET", path, None, retry=True, params=params)

    async def _send(
        self,
        method: str,
        path: str,
        body: BaseModel | None,
        *,
        retry: bool = False,
        key: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        headers = {"Idempotency-Key": key} if key else None
        content = body.model_dump_json().encode() if body is not None else None
        if content is not None:
            headers = (headers or {}) | {"Content-Type": "application/json"}
        attempts = 1 + (self._retries if retry else 0)
        for attempt in range(attempts):
            self.breaker.before_call()
            try:
                result = await self._attempt(method, path, content, headers, params)
            except errors.PmsUnavailable:
                self.breaker.record_failure()
                log.warning("pms.client.unavailable", method=method, attempt=attempt + 1)
                if attempt + 1 >= attempts:
                    raise
                await self._sleep(0.1 * 2**attempt)
                continue
            self.breaker.record_success()
            return result
        raise errors.PmsUnavailable("the PMS is unavailable")  # pragma: no cover

    async def _attempt(
        self,
        method: str,
        path: str,
        content: bytes | None,
        headers: dict[str, str] | None,
        params: dict[str, Any] | None,
    ) -> Any:
        try:
            response = await self._http.request(
                method, "/pms/v1" + path, content=content, headers=headers, params=params
            )
        except httpx.TransportError as exc:
            # Refused, reset, DNS or timeout: all mean "not reachable now".
            raise errors.PmsUnavailable("the PMS could not be reached") from exc
        return _decode(response)


def _generation_key(property: str | uuid.UUID) -> str:
    return f"pms:avail-gen:{property}"


def _decode(response: httpx.Response) -> Any:
    """The JSON body, or the typed error the service rendered as `{"error", "detail"}`."""
    if response.is_success:
        return response.json()
    try:
        payload = response.json()
        code, detail = str(payload.get("error", "")), str(payload.get("detail", ""))
    except ValueError:
        code, detail = "", ""
    cls = errors.ERRORS_BY_CODE.get(code)
    if cls is None or response.status_code >= 500:
        cls = errors.PmsUnavailable if response.status_code >= 500 else _by_status(response)
    raise cls(detail or f"PMS answered {response.status_code}")


def _by_status(response: httpx.Response) -> type[errors.PmsError]:
    return {
        401: errors.PmsAuthError,
        403: errors.PmsForbidden,
        404: errors.PmsError,
        409: errors.PmsError,
        422: errors.InvalidRequest,
        429: errors.PmsUnavailable,
    }.get(response.status_code, errors.PmsError)
