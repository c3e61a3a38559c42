"""Mews adapter, written against the Mews Connector API (https://mews-systems.gitbook.io/connector-api).

Every Mews call is `POST {base}/api/connector/v1/<operation>` with `ClientToken`, `AccessToken`
and `Client` in the JSON body. Room types are Mews resource categories and rate plans are Mews
rates (their ids are our codes). Mews has no idempotency keys, so a booking carries a marker
derived from ours as its reservation-group name and is looked up before any `reservations/add`.
Errors follow Mews' HTTP codes (400/401/403/408/409/429/5xx); see `mapping.error_for` and
docs/pms-adapters.md.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import structlog

from hotelbot.pms import policy as cancellation_policy
from hotelbot.pms.adapters import mews_mapping as mapping
from hotelbot.pms.adapters import vendor
from hotelbot.pms.adapters.base import AdapterConfig
from hotelbot.pms.errors import (
    InvalidRequest,
    PmsAuthError,
    PmsError,
    RateChanged,
    ReservationNotFound,
    ReservationNotModifiable,
    RoomUnavailable,
)
from hotelbot.pms.schemas import (
    Availability,
    Cancellation,
    GuestContact,
    GuestDetails,
    NightPrice,
    Occupancy,
    Offer,
    Property,
    Quote,
    QuoteRequest,
    RatePlan,
    Reservation,
    ReservationChange,
    ReservationCreate,
    ReservationStatus,
    RoomType,
    ServiceCatalogue,
    ServiceRequest,
    ServiceRequestCreate,
)

log = structlog.get_logger(__name__)
Body = dict[str, Any]
NAME = "mews"
API = "/api/connector/v1/"
SETUP_TTL = dt.timedelta(minutes=10)
QUOTE_TTL = dt.timedelta(minutes=15)
#: How far back `reservations/add` retries are recognised by their marker.
IDEMPOTENCY_WINDOW = dt.timedelta(hours=24)
PAGE = {"Count": 1000}
STATES = {
    "Canceled": ReservationStatus.CANCELLED,
    "Started": ReservationStatus.CHECKED_IN,
    "Processed": ReservationStatus.CHECKED_OUT,
}


@dataclass(frozen=True)
class _Setup:
    """Enterprise configuration read once and cached: it changes rarely and every call needs it."""

    timezone: str
    currency: str
    service_id: str
    check_in: dt.time
    check_out: dt.time
    room_types: dict[str, RoomType]
    rate_plans: dict[str, RatePlan]
    adult_id: str
    child_id: str | None
    child_age: int
    loaded_at: dt.datetime


class MewsAdapter:
    """`PmsAdapter` over one Mews enterprise (one property)."""

    name = NAME

    def __init__(
        self,
        base_url: str,
        client_token: str,
        access_token: str,
        client_name: str = "hotelbot 0.1.0",
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http: httpx.AsyncClient | None = None,
        timeout_seconds: float = 10.0,
        service_id: str | None = None,
        now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self._http, self._owns_http = vendor.build_http(
            base_url, http=http, transport=transport, timeout_seconds=timeout_seconds
        )
        self._base = base_url.rstrip("/")
        self._auth = {"ClientToken": client_token, "AccessToken": access_token}
        self._auth["Client"] = client_name
        self._service_id = service_id
        self._now = now
        self._setup: _Setup | None = None
        self._setup_lock = asyncio.Lock()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    # ---- transport -----------------------------------------------------------------------

    async def _call(self, operation: str, payload: Body) -> Body:
        request = self._http.build_request(
            "POST", f"{self._base}{API}{operation}", json={**self._auth, **payload}
        )
        response = await vendor.send(self._http, NAME, operation, request)
        if response.status_code in (200, 204):
            return vendor.json_body(response, NAME, operation) if response.content else {}
        raise mapping.error_for(operation, response)

    # ---- configuration -------------------------------------------------------------------

    async def _config(self) -> _Setup:
        setup = self._setup
        if setup is not None and self._now() - setup.loaded_at < SETUP_TTL:
            return setup
        async with self._setup_lock:
            if self._setup is None or self._now() - self._setup.loaded_at >= SETUP_TTL:
                self._setup = await self._load_setup()
            return self._setup

    async def _load_setup(self) -> _Setup:
        config = await self._call("configuration/get", {})
        enterprise = config["Enterprise"]
        currencies = enterprise.get("Currencies") or []
        currency = next((c["Currency"] for c in currencies if c.get("IsDefault")), "EUR")
        service = await self._bookable_service()
        offsets = (service.get("Data") or {}).get("Value") or {}
        ids = {"ServiceIds": [service["Id"]], "Limitation": PAGE}
        categories = (await self._call("resourceCategories/getAll", ids))["ResourceCategories"]
        rates = [r for r in (await self._call("rates/getAll", ids))["Rates"] if r["IsActive"]]
        policies = await self._policies([r["GroupId"] for r in rates])
        ages = (await self._call("ageCategories/getAll", ids))["AgeCategories"]
        adult = next(a for a in ages if a.get("Classification") == "Adult")
        child = next((a for a in ages if a.get("Classification") == "Child"), None)
        return _Setup(
            timezone=enterprise.get("TimeZoneIdentifier") or "UTC",
            currency=currency,
            service_id=service["Id"],
            check_in=mapping.offset_time(offsets.get("StartOffset"), dt.time(15, 0)),
            check_out=mapping.offset_time(offsets.get("EndOffset"), dt.time(11, 0)),
            room_types={
                c["Id"]: mapping.room_type(c) for c in categories if c.get("IsActive", True)
            },
            rate_plans={r["Id"]: mapping.rate_plan(r, policies.get(r["GroupId"])) for r in rates},
            adult_id=adult["Id"],
            child_id=child["Id"] if child else None,
            child_age=int((child or {}).get("MaximalAge") or 12),
            loaded_at=self._now(),
        )

    async def _bookable_service(self) -> Body:
        services = (await self._call("services/getAll", {"Limitation": PAGE}))["Services"]
        for service in services:
            data = service.get("Data") or {}
            wanted = service["Id"] == self._service_id if self._service_id else True
            if wanted and service.get("IsActive") and data.get("Discriminator") == "Bookable":
                return service
        raise PmsError("mews: no active bookable service (check pms_settings.service_id)")

    async def _policies(self, group_ids: list[str]) -> dict[str, Body]:
        if not group_ids:
            return {}
        payload = {"RateGroupIds": sorted(set(group_ids)), "Limitation": PAGE}
        found = (await self._call("cancellationPolicies/getAll", payload))["CancellationPolicies"]
        return {p["RateGroupId"]: p for p in found}

    async def list_room_types(self, property: Property) -> list[RoomType]:
        return list((await self._config()).room_types.values())

    async def list_rate_plans(self, property: Property) -> list[RatePlan]:
        return list((await self._config()).rate_plans.values())

    # ---- availability and prices ---------------------------------------------------------

    def _night_start(self, setup: _Setup, night: dt.date) -> str:
        local = dt.datetime.combine(night, dt.time(0, 0), ZoneInfo(setup.timezone))
        return mapping.utc_text(local)

    def _interval(self, setup: _Setup, check_in: dt.date, check_out: dt.date) -> Body:
        last = check_out - dt.timedelta(days=1)
        return {
            "FirstTimeUnitStartUtc": self._night_start(setup, check_in),
            "LastTimeUnitStartUtc": self._night_start(setup, last),
        }

    async def _free_rooms(self, setup: _Setup, check_in: dt.date, check_out: dt.date) -> dict:
        payload = {"ServiceId": setup.service_id, "Metrics": ["Occupied", "UsableResources"]}
        payload.update(self._interval(setup, check_in, check_out))
        answer = await self._call("services/getAvailability/2024-01-22", payload)
        free: dict[str, int] = {}
        for row in answer["ResourceCategoryAvailabilities"]:
            metrics = row["Metrics"]
            # Free = usable rooms minus rooms occupied (reservations, blocks, other services).
            pairs = zip(metrics["UsableResources"], metrics["Occupied"], strict=True)
            free[row["ResourceCategoryId"]] = min((u - o for u, o in pairs), default=0)
        return free

    async def _prices(
        self, setup: _Setup, rate_id: str, check_in: dt.date, check_out: dt.date, rooms: int
    ) -> dict[str, mapping.Priced]:
        payload = {"RateId": rate_id, **self._interval(setup, check_in, check_out)}
        answer = await self._call("rates/getPricing", payload)
        dates = [check_in + dt.timedelta(days=i) for i in range((check_out - check_in).days)]
        priced: dict[str, mapping.Priced] = {}
        for row in answer["CategoryPrices"]:
            amounts = row["AmountPrices"]
            if len(amounts) != len(dates):
                continue
            nights = [
                NightPrice(date=d, amount=vendor.money(a["GrossValue"]) * rooms)
                for d, a in zip(dates, amounts, strict=True)
            ]
            taxes = [t for a in amounts for t in a.get("TaxValues") or []]
            tax = sum((vendor.money(t["Value"]) for t in taxes), Decimal(0)) * rooms
            code = taxes[0]["Code"] if taxes else "VAT"
            priced[row["CategoryId"]] = mapping.Priced(nights, tax, mapping.tax_code(code))
        return priced

    def _offer(
        self, setup: _Setup, room: RoomType, plan: RatePlan, priced: mapping.Priced, free: int
    ) -> Offer:
        subtotal = sum((n.amount for n in priced.nights), Decimal(0))
        return Offer(
            room_type_code=room.code,
            room_type_name=room.name,
            rate_plan_code=plan.code,
            rate_plan_name=plan.name,
            available_rooms=max(free, 0),
            breakfast_included=plan.breakfast_included,
            refundable=plan.refundable,
            nights=priced.nights,
            subtotal=subtotal,
            taxes=mapping.tax_lines(priced),
            total=subtotal,
            currency=setup.currency,
        )

    async def availability(
        self, property: Property, check_in: dt.date, check_out: dt.date, occupancy: Occupancy
    ) -> Availability:
        setup = await self._config()
        free = await self._free_rooms(setup, check_in, check_out)
        fitting = {
            code: room
            for code, room in setup.room_types.items()
            if mapping.fits(room, occupancy) and free.get(code, 0) >= occupancy.rooms
        }
        offers: list[Offer] = []
        for plan in setup.rate_plans.values() if fitting else []:
            priced = await self._prices(setup, plan.code, check_in, check_out, occupancy.rooms)
            for code, room in fitting.items():
                if code in priced:
                    offers.append(self._offer(setup, room, plan, priced[code], free[code]))
        offers.sort(key=lambda o: o.total)
        return Availability(
            property_id=property.id,
            check_in=check_in,
            check_out=check_out,
            occupancy=occupancy,
            currency=setup.currency,
            offers=offers,
        )

    async def _bookable_offer(self, request: QuoteRequest) -> tuple[_Setup, Offer, RatePlan]:
        """The priced offer for the request; `RoomUnavailable` when it cannot be booked."""
        setup = await self._config()
        room = setup.room_types.get(request.room_type_code)
        plan = setup.rate_plans.get(request.rate_plan_code)
        if room is None or plan is None:
            raise InvalidRequest("mews: unknown room type or rate plan")
        if not mapping.fits(room, request.occupancy):
            raise InvalidRequest("mews: the party does not fit this room type")
        free = await self._free_rooms(setup, request.check_in, request.check_out)
        if free.get(room.code, 0) < request.occupancy.rooms:
            raise RoomUnavailable("mews: no room of this type for the whole stay")
        rooms = request.occupancy.rooms
        priced = await self._prices(setup, plan.code, request.check_in, request.check_out, rooms)
        if room.code not in priced:
            raise RoomUnavailable("mews: the rate does not sell this room type on these dates")
        return setup, self._offer(setup, room, plan, priced[room.code], free[room.code]), plan

    async def quote(self, property: Property, request: QuoteRequest) -> Quote:
        setup, offer, plan = await self._bookable_offer(request)
        key = request.model_dump_json() + str(offer.total)
        return Quote(
            id="mews-" + hashlib.sha256(key.encode()).hexdigest()[:20],
            property_id=property.id,
            check_in=request.check_in,
            check_out=request.check_out,
            occupancy=request.occupancy,
            room_type_code=offer.room_type_code,
            rate_plan_code=offer.rate_plan_code,
            nights=offer.nights,
            subtotal=offer.subtotal,
            taxes=offer.taxes,
            total=offer.total,
            currency=offer.currency,
            cancellation_policy=plan.cancellation_policy,
            free_cancellation_until=self._deadline(setup, plan, request.check_in),
            expires_at=self._now() + QUOTE_TTL,
        )

    def _deadline(self, setup: _Setup, plan: RatePlan, check_in: dt.date) -> dt.datetime | None:
        return cancellation_policy.free_cancellation_until(
            plan.cancellation_policy,
            check_in=check_in,
            check_in_time=setup.check_in,
            timezone=setup.timezone,
        )

    # ---- customers -----------------------------------------------------------------------

    async def _customers_by_email(self, email: str) -> list[Body]:
        payload = {"Emails": [email], "Limitation": PAGE}
        return list((await self._call("customers/getAll", payload))["Customers"])

    async def _customer_for(self, guest: GuestDetails) -> Body:
        """The guest's Mews customer: found by email, else created (Mews cannot filter by phone)."""
        if guest.email:
            found = await self._customers_by_email(guest.email)
            if found:
                return found[0]
        payload = {
            "FirstName": guest.first_name,
            # Mews requires a last name; a WhatsApp profile often has only one name.
            "LastName": guest.last_name or guest.first_name,
            "Email": guest.email,
            "Phone": guest.phone,
            "LanguageCode": guest.language,
            "OverwriteExisting": False,
        }
        return await self._call("customers/add", payload)

    async def _customer(self, customer_id: str) -> Body:
        payload = {"CustomerIds": [customer_id], "Limitation": PAGE}
        found = (await self._call("customers/getAll", payload))["Customers"]
        if not found:
            raise PmsError("mews: reservation owner not found")
        return dict(found[0])

    # ---- reservations --------------------------------------------------------------------

    def _person_counts(self, setup: _Setup, occupancy: Occupancy) -> list[Body]:
        counts = [{"AgeCategoryId": setup.adult_id, "Count": occupancy.adults}]
        if occupancy.children:
            if setup.child_id is None:
                raise InvalidRequest("mews: this property takes no children")
            counts.append({"AgeCategoryId": setup.child_id, "Count": occupancy.children})
        return counts

    def _stay_utc(self, setup: _Setup, check_in: dt.date, check_out: dt.date) -> Body:
        zone = ZoneInfo(setup.timezone)
        return {
            "StartUtc": mapping.utc_text(dt.datetime.combine(check_in, setup.check_in, zone)),
            "EndUtc": mapping.utc_text(dt.datetime.combine(check_out, setup.check_out, zone)),
        }

    async def _find_by_marker(self, setup: _Setup, tag: str) -> Body | None:
        """A reservation an earlier attempt with the same key already booked, if any."""
        now = self._now()
        created = {
            "StartUtc": mapping.utc_text(now - IDEMPOTENCY_WINDOW),
            "EndUtc": mapping.utc_text(now),
        }
        payload = {"ServiceIds": [setup.service_id], "CreatedUtc": created, "Limitation": PAGE}
        candidates = (await self._call("reservations/getAll/2023-06-06", payload))["Reservations"]
        ours = [r for r in candidates if r.get("Origin") == "Connector"]
        if not ours:
            return None
        group_ids = sorted({r["GroupId"] for r in ours})
        payload = {"ReservationGroupIds": group_ids, "Limitation": PAGE}
        groups = (await self._call("reservationGroups/getAll", payload))["ReservationGroups"]
        tagged = {g["Id"] for g in groups if g.get("Name") == tag}
        return next((r for r in ours if r["GroupId"] in tagged), None)

    async def create_reservation(
        self, property: Property, request: ReservationCreate, *, idempotency_key: str
    ) -> Reservation:
        """Book one room. Idempotent: the booking's group is named after the key, and a retry
        finds it (within `IDEMPOTENCY_WINDOW`) instead of calling `reservations/add` again."""
        if request.occupancy.rooms != 1:
            raise vendor.unsupported(NAME, "booking several rooms in one reservation")
        setup = await self._config()
        tag = vendor.marker(idempotency_key)
        existing = await self._find_by_marker(setup, tag)
        if existing is not None:
            log.info("pms.mews.idempotent_replay", marker=tag)
            return await self._reservation(property, setup, existing)
        _, offer, _ = await self._bookable_offer(request)
        if request.expected_total is not None and offer.total != request.expected_total:
            raise RateChanged("mews: the price changed since the quote")
        customer = await self._customer_for(request.guest)
        item = {
            "Identifier": tag,
            "State": "Confirmed",
            **self._stay_utc(setup, request.check_in, request.check_out),
            "CustomerId": customer["Id"],
            "BookerId": customer["Id"],
            "RequestedCategoryId": request.room_type_code,
            "RateId": request.rate_plan_code,
            "Notes": f"{tag} {request.notes}".strip(),
            "PersonCounts": self._person_counts(setup, request.occupancy),
        }
        payload: Body = {"ServiceId": setup.service_id, "GroupName": tag, "Reservations": [item]}
        payload["SendConfirmationEmail"] = bool(request.guest.email)
        added = (await self._call("reservations/add", payload))["Reservations"][0]["Reservation"]
        log.info("pms.mews.reservation_added", marker=tag)
        return await self.get_reservation(property, added["Id"])

    async def _raw_reservation(self, reference: str) -> Body:
        try:
            uuid.UUID(reference)
        except ValueError as exc:
            raise ReservationNotFound("mews: unknown reservation reference") from exc
        payload = {"ReservationIds": [reference], "Limitation": PAGE}
        found = (await self._call("reservations/getAll/2023-06-06", payload))["Reservations"]
        if not found:
            raise ReservationNotFound("mews: unknown reservation reference")
        return dict(found[0])

    async def get_reservation(self, property: Property, reference: str) -> Reservation:
        setup = await self._config()
        return await self._reservation(property, setup, await self._raw_reservation(reference))

    async def _reservation(self, property: Property, setup: _Setup, raw: Body) -> Reservation:
        """Our view of a Mews reservation. Prices are the rate's prices for the stay (the
        Connector reservation carries no amounts; posted items live in accounting)."""
        zone = ZoneInfo(setup.timezone)
        check_in = (
            mapping.parse_utc(raw["ScheduledStartUtc"] or raw["StartUtc"]).astimezone(zone).date()
        )
        check_out = (
            mapping.parse_utc(raw["ScheduledEndUtc"] or raw["EndUtc"]).astimezone(zone).date()
        )
        category = raw.get("RequestedResourceCategoryId") or raw.get("RequestedCategoryId")
        plan = setup.rate_plans.get(raw["RateId"])
        if plan is None or category is None:
            raise PmsError("mews: reservation uses a rate or category this adapter cannot map")
        priced = (await self._prices(setup, plan.code, check_in, check_out, 1)).get(category)
        nights = priced.nights if priced else []
        total = sum((n.amount for n in nights), Decimal(0))
        owner = await self._customer(raw.get("AccountId") or raw["CustomerId"])
        status = STATES.get(raw["State"], ReservationStatus.CONFIRMED)
        return Reservation(
            reference=raw["Id"],
            property_id=property.id,
            status=status,
            check_in=check_in,
            check_out=check_out,
            occupancy=self._occupancy(setup, raw.get("PersonCounts") or []),
            room_type_code=category,
            rate_plan_code=plan.code,
            guest=mapping.guest(owner),
            nights=nights,
            subtotal=total,
            taxes=mapping.tax_lines(priced) if priced else [],
            total=total,
            currency=setup.currency,
            cancellation_policy=plan.cancellation_policy,
            free_cancellation_until=self._deadline(setup, plan, check_in),
            created_at=mapping.parse_utc(raw["CreatedUtc"]),
            updated_at=mapping.parse_utc(raw["UpdatedUtc"]),
            cancelled_at=mapping.parse_utc(raw["CancelledUtc"])
            if raw.get("CancelledUtc")
            else None,
        )

    def _occupancy(self, setup: _Setup, counts: list[Body]) -> Occupancy:
        adults = sum(c["Count"] for c in counts if c["AgeCategoryId"] == setup.adult_id)
        children = sum(c["Count"] for c in counts if c["AgeCategoryId"] != setup.adult_id)
        # Mews keeps age categories, not ages: report the category's upper age.
        return Occupancy(adults=max(adults, 1), children_ages=[setup.child_age] * children)

    async def list_reservations(
        self, property: Property, contact: GuestContact
    ) -> list[Reservation]:
        """By email only: the Connector API cannot filter customers by phone number."""
        if not contact.email:
            return []
        setup = await self._config()
        customers = await self._customers_by_email(contact.email)
        if not customers:
            return []
        payload = {"AccountIds": [c["Id"] for c in customers], "Limitation": PAGE}
        raws = (await self._call("reservations/getAll/2023-06-06", payload))["Reservations"]
        found = [await self._reservation(property, setup, r) for r in raws]
        return sorted(found, key=lambda r: r.check_in, reverse=True)

    async def modify_reservation(
        self, property: Property, reference: str, change: ReservationChange
    ) -> Reservation:
        """`reservations/update` with overbooking checks: Mews applies all of it or nothing."""
        current = await self.get_reservation(property, reference)
        if current.status is not ReservationStatus.CONFIRMED:
            raise ReservationNotModifiable("mews: only confirmed reservations can change")
        setup = await self._config()
        wanted = QuoteRequest(
            check_in=change.check_in or current.check_in,
            check_out=change.check_out or current.check_out,
            occupancy=change.occupancy or current.occupancy,
            room_type_code=current.room_type_code,
            rate_plan_code=current.rate_plan_code,
        )
        room = setup.room_types[current.room_type_code]
        if not mapping.fits(room, wanted.occupancy) or wanted.occupancy.rooms != 1:
            raise InvalidRequest("mews: the party does not fit this room type")
        priced = await self._prices(
            setup, wanted.rate_plan_code, wanted.check_in, wanted.check_out, 1
        )
        new = priced.get(wanted.room_type_code)
        total = sum((n.amount for n in new.nights), Decimal(0)) if new else None
        if change.expected_total is not None and total != change.expected_total:
            raise RateChanged("mews: the price changed since the quote")
        stay = self._stay_utc(setup, wanted.check_in, wanted.check_out)
        update = {
            "ReservationId": reference,
            "StartUtc": {"Value": stay["StartUtc"]},
            "EndUtc": {"Value": stay["EndUtc"]},
            "PersonCounts": {"Value": self._person_counts(setup, wanted.occupancy)},
        }
        payload = {"Reason": "Guest request via hotelbot", "CheckOverbooking": True}
        payload.update(Reprice=True, ReservationUpdates=[update])
        await self._call("reservations/update", payload)
        return await self.get_reservation(property, reference)

    async def cancel_reservation(self, property: Property, reference: str) -> Cancellation:
        """Cancel with the plan's fee as of now; cancelling twice answers the same way."""
        current = await self.get_reservation(property, reference)
        deadline = current.free_cancellation_until
        if current.status is ReservationStatus.CANCELLED:
            when = current.cancelled_at or current.updated_at
        elif current.status is ReservationStatus.CONFIRMED:
            when = self._now()
        else:
            raise ReservationNotModifiable("mews: the stay has started or ended")
        fee = vendor.cancellation_fee(
            current.cancellation_policy,
            nights=current.nights,
            total=current.total,
            deadline=deadline,
            now=when,
        )
        if current.status is ReservationStatus.CONFIRMED:
            payload = {"ReservationIds": [reference], "PostCancellationFee": fee > 0}
            payload["Notes"] = "Cancelled by the guest via hotelbot"
            await self._call("reservations/cancel", payload)
        return Cancellation(
            reference=reference,
            status=ReservationStatus.CANCELLED,
            cancelled_at=when,
            fee=fee,
            # Payments live on Mews bills; the adapter moves no money, so nothing is refunded here.
            refund=Decimal("0.00"),
            currency=current.currency,
        )

    # ---- services (not offered through this adapter) ------------------------------------

    async def list_services(self, property: Property) -> ServiceCatalogue:
        setup = await self._config()
        return ServiceCatalogue(
            property_id=property.id, currency=setup.currency, services=[], room_service_menu=[]
        )

    async def create_service_request(
        self, property: Property, request: ServiceRequestCreate, *, idempotency_key: str
    ) -> ServiceRequest:
        raise vendor.unsupported(NAME, "service requests")

    async def get_service_request(self, property: Property, request_id: str) -> ServiceRequest:
        raise vendor.unsupported(NAME, "service requests")


def create_adapter(config: AdapterConfig) -> MewsAdapter:
    """Build from `pms_settings` (`base_url`, optional `service_id`, `client_name`) and the
    secrets `client_token` and `access_token` from `HOTELBOT_PMS__CREDENTIALS`."""
    for secret in ("client_token", "access_token"):
        if not config.secrets.get(secret):
            raise PmsAuthError(f"mews: {secret} is not configured for this property")
    return MewsAdapter(
        config.settings.get("base_url") or "https://api.mews.com",
        config.secrets["client_token"],
        config.secrets["access_token"],
        config.settings.get("client_name") or "hotelbot 0.1.0",
        http=config.http,
        timeout_seconds=config.timeout_seconds,
        service_id=config.settings.get("service_id") or None,
    )
