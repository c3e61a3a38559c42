"""What every vendor PMS adapter shares: one HTTP call with transport errors mapped, money,
the idempotency marker, and the mapping helpers more than one vendor needs.

Vendor adapters (`mews.py`, `cloudbeds.py`, `qloapps.py`) extend `VendorAdapter` and send every
request through `VendorHttp.send()`, so a timeout or a refused connection is always
`PmsUnavailable` (retryable) and never an httpx exception. How they fail otherwise is in
`vendor_errors.py`, the answers they build alike in `vendor_answers.py`, and cancellation terms
kept in `pms_settings` in `settings_policy.py`.
Vendor error *bodies* are never copied into our messages: they may echo guest input.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import structlog

from hotelbot.pms.adapters.vendor_errors import VendorMisconfigured, unsupported
from hotelbot.pms.errors import PmsError, PmsUnavailable
from hotelbot.pms.schemas import (
    Occupancy,
    Property,
    ServiceCatalogue,
    ServiceRequest,
    ServiceRequestCreate,
    TaxKind,
    TaxLine,
)

log = structlog.get_logger(__name__)
CENT = Decimal("0.01")


class VendorHttp:
    """One vendor's HTTP client: requests go to `base_url`, network failures become
    `PmsUnavailable`, and only a client opened here is closed by `aclose()`."""

    def __init__(
        self,
        adapter: str,
        base_url: str,
        *,
        http: httpx.AsyncClient | None,
        transport: httpx.AsyncBaseTransport | None,
        timeout_seconds: float,
        property_id: str | None = None,
    ) -> None:
        self.adapter = adapter
        #: Our id of the property this client serves, for logs (None when built without one).
        self.property_id = property_id
        self.base_url = base_url.rstrip("/")
        # A client passed in (the PMS service's shared pool) belongs to its owner.
        self._owned = http is None
        self._client = http or httpx.AsyncClient(
            base_url=self.base_url, transport=transport, timeout=httpx.Timeout(timeout_seconds)
        )

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Request:
        return self._client.build_request(method, f"{self.base_url}{path}", **kwargs)

    async def send(self, operation: str, request: httpx.Request) -> httpx.Response:
        """Send one vendor request; network failures become `PmsUnavailable`."""
        try:
            return await self._client.send(request)
        except httpx.TimeoutException as exc:
            log.warning("pms.vendor.timeout", adapter=self.adapter, operation=operation)
            raise PmsUnavailable(f"{self.adapter}: {operation} timed out") from exc
        except httpx.TransportError as exc:
            log.warning("pms.vendor.unreachable", adapter=self.adapter, operation=operation)
            raise PmsUnavailable(f"{self.adapter}: {operation} could not reach the PMS") from exc

    def json(self, response: httpx.Response, operation: str) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            # A proxy's HTML error page or a truncated body: the vendor is not answering properly.
            raise PmsUnavailable(
                f"{self.adapter}: {operation} returned a body that is not JSON"
            ) from exc

    def failure(self, operation: str, error: PmsError) -> PmsError:
        """`error`, mapped from a vendor's error answer, to raise; one the operator has to fix
        is logged with the adapter and our property id (never the key)."""
        if isinstance(error, VendorMisconfigured):
            log.error(
                "pms.vendor.misconfigured",
                adapter=self.adapter,
                property_id=self.property_id,
                operation=operation,
                problem=error.message,
            )
        return error

    async def aclose(self) -> None:
        if self._owned:
            await self._client.aclose()


class VendorAdapter:
    """What `MewsAdapter`, `CloudbedsAdapter` and `QloAppsAdapter` share: the HTTP client, the
    clock, closing, and the service operations no vendor API offers."""

    name: str

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None,
        http: httpx.AsyncClient | None,
        timeout_seconds: float,
        now: Callable[[], dt.datetime],
        property_id: str | None = None,
    ) -> None:
        self._http = VendorHttp(
            self.name,
            base_url,
            http=http,
            transport=transport,
            timeout_seconds=timeout_seconds,
            property_id=property_id,
        )
        self._now = now

    async def aclose(self) -> None:
        await self._http.aclose()

    async def list_services(self, property: Property) -> ServiceCatalogue:
        """Empty: services and service requests stay with the built-in PMS."""
        return ServiceCatalogue(
            property_id=property.id, currency=property.currency, services=[], room_service_menu=[]
        )

    async def create_service_request(
        self, property: Property, request: ServiceRequestCreate, *, idempotency_key: str
    ) -> ServiceRequest:
        raise unsupported(self.name, "service requests")

    async def get_service_request(self, property: Property, request_id: str) -> ServiceRequest:
        raise unsupported(self.name, "service requests")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def money(value: Any) -> Decimal:
    """A vendor number (float, int or string) as a 2-decimal `Decimal`, without float noise."""
    if value is None or value == "":
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def marker(idempotency_key: str) -> str:
    """A short, opaque tag for a booking written with this key (stored in the vendor's PMS)."""
    return "hotelbot-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]


def log_replay(adapter: str, tag: str) -> None:
    """Note that a create found its marker and returns the earlier booking instead of booking."""
    log.info(f"pms.{adapter}.idempotent_replay", marker=tag)


# ---- mapping helpers ---------------------------------------------------------------------


def room_parties(occupancy: Occupancy) -> list[tuple[int, int]]:
    """(adults, children) for each room, the party spread evenly (first rooms take the rest)."""
    rooms = occupancy.rooms
    return [
        (
            occupancy.adults // rooms + (i < occupancy.adults % rooms),
            occupancy.children // rooms + (i < occupancy.children % rooms),
        )
        for i in range(rooms)
    ]


def extra_taxes(amount: Decimal) -> list[TaxLine]:
    """What a vendor charges above the nights' prices, as one "taxes and fees" line."""
    if amount <= 0:
        return []
    return [
        TaxLine(
            code="taxes-and-fees",
            name="Taxes and fees",
            kind=TaxKind.PERCENT,
            included=False,
            amount=amount,
        )
    ]


def e164(raw: str | None) -> str | None:
    """A vendor phone as E.164 (`+34600111222`), or None when it cannot be one."""
    digits = re.sub(r"[^\d+]", "", raw or "")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    return digits if re.fullmatch(r"\+[1-9]\d{6,14}", digits) else None


def email(raw: str | None) -> str | None:
    return raw if raw and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", raw) else None


def local_today(now: dt.datetime, timezone: str) -> dt.date:
    return now.astimezone(ZoneInfo(timezone)).date()
