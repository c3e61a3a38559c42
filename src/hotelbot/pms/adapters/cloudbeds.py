"""Cloudbeds adapter, written against the Cloudbeds PMS API v1.3 (https://developers.cloudbeds.com).

GET methods take query strings, `postReservation`/`putReservation` take form bodies with
PHP-style arrays; the key travels in `x-api-key`. Cloudbeds refuses with HTTP 200 and
`{"success": false, "message": ...}`, so refusals are mapped by message; the JSON shapes and the
error table live in `cloudbeds_mapping.py`. Room types are Cloudbeds room types, rate plans are
`ratePlanID`s ("base" for the room's own rate). Cloudbeds stores `thirdPartyIdentifier`; ours
carries the idempotency marker and the plan code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import httpx
import structlog

from hotelbot.pms import policy as cancellation_policy
from hotelbot.pms.adapters import cloudbeds_mapping as mapping
from hotelbot.pms.adapters import vendor
from hotelbot.pms.adapters.base import AdapterConfig
from hotelbot.pms.errors import (
    InvalidRequest,
    PmsAuthError,
    RateChanged,
    ReservationNotModifiable,
    RoomUnavailable,
)
from hotelbot.pms.schemas import (
    Availability,
    Cancellation,
    CancellationPolicy,
    GuestContact,
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
)

log = structlog.get_logger(__name__)
Body = dict[str, Any]
NAME = "cloudbeds"
QUOTE_TTL = dt.timedelta(minutes=15)
IDEMPOTENCY_WINDOW = dt.timedelta(hours=24)


class CloudbedsAdapter(vendor.VendorAdapter):
    """`PmsAdapter` over one Cloudbeds property. Cancellation terms are not exposed by v1.3, so
    they come from settings: `non_refundable` plan codes, `free_days` and `fee_nights`."""

    name = NAME

    def __init__(
        self,
        base_url: str,
        api_key: str,
        property_id: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http: httpx.AsyncClient | None = None,
        timeout_seconds: float = 10.0,
        non_refundable: frozenset[str] = frozenset(),
        free_days: int = 2,
        fee_nights: int = 1,
        payment_method: str = "cash",
        now: Callable[[], dt.datetime] = vendor.utc_now,
    ) -> None:
        super().__init__(
            base_url, transport=transport, http=http, timeout_seconds=timeout_seconds, now=now
        )
        self._headers = {"x-api-key": api_key, "X-PROPERTY-ID": property_id}
        self._property_id = property_id
        self._non_refundable = non_refundable
        self._free_days = free_days
        self._fee_nights = fee_nights
        self._payment_method = payment_method

    # ---- transport -----------------------------------------------------------------------

    async def _call(self, verb: str, method: str, values: Mapping[str, Any]) -> Body:
        path = f"/{method}"
        params = {k: mapping.form_text(v) for k, v in values.items() if v is not None}
        if verb == "GET":
            request = self._http.request(verb, path, params=params, headers=self._headers)
        else:
            request = self._http.request(verb, path, data=params, headers=self._headers)
        response = await self._http.send(method, request)
        if response.status_code != 200:
            raise mapping.http_error(method, response.status_code)
        body = self._http.json(response, method)
        if not isinstance(body, dict) or body.get("success") is not True:
            raise mapping.refusal(method, str((body or {}).get("message") or ""))
        return body

    # ---- inventory -----------------------------------------------------------------------

    def _policy(self, plan_code: str) -> CancellationPolicy:
        if plan_code in self._non_refundable:
            return CancellationPolicy(refundable=False, description="Non-refundable")
        return CancellationPolicy(
            refundable=True,
            deadline_days_before=self._free_days,
            fee_nights=self._fee_nights,
        )

    async def list_room_types(self, property: Property) -> list[RoomType]:
        body = await self._call("GET", "getRoomTypes", {"propertyIDs": self._property_id})
        return [mapping.room_type(r) for r in body["data"]]

    async def _rate_rows(
        self, check_in: dt.date, check_out: dt.date, occupancy: Occupancy
    ) -> list[Body]:
        per_room = mapping.per_room(occupancy)
        query = {
            "propertyIDs": self._property_id,
            "startDate": check_in,
            "endDate": check_out,
            "adults": per_room.adults,
            "children": per_room.children,
            "detailedRates": True,
        }
        return list((await self._call("GET", "getRatePlans", query))["data"])

    async def list_rate_plans(self, property: Property) -> list[RatePlan]:
        today = vendor.local_today(self._now(), property.timezone)
        rows = await self._rate_rows(today, today + dt.timedelta(days=1), Occupancy())
        rooms: dict[str, list[str]] = defaultdict(list)
        names: dict[str, str] = {}
        for row in rows:
            code = mapping.plan_code(row)
            rooms[code].append(row["roomTypeID"])
            names[code] = row.get("ratePlanNamePublic") or "Room rate"
        return [
            RatePlan(
                code=code,
                name=names[code],
                refundable=self._policy(code).refundable,
                cancellation_policy=self._policy(code),
                room_type_codes=rooms[code],
            )
            for code in names
        ]

    def _offer(self, row: Body, occupancy: Occupancy, currency: str) -> Offer | None:
        nights = mapping.rate_nights(row, occupancy.rooms)
        if not nights:
            return None
        subtotal = sum((n.amount for n in nights), Decimal(0))
        code = mapping.plan_code(row)
        return Offer(
            room_type_code=row["roomTypeID"],
            room_type_name=str(row.get("roomTypeName") or row["roomTypeID"]),
            rate_plan_code=code,
            rate_plan_name=row.get("ratePlanNamePublic") or "Room rate",
            available_rooms=max(int(row.get("roomsAvailable") or 0), 0),
            breakfast_included=False,
            refundable=self._policy(code).refundable,
            nights=nights,
            subtotal=subtotal,
            total=subtotal,
            currency=currency,
        )

    async def availability(
        self, property: Property, check_in: dt.date, check_out: dt.date, occupancy: Occupancy
    ) -> Availability:
        rows = await self._rate_rows(check_in, check_out, occupancy)
        offers = [
            offer
            for row in rows
            if int(row.get("roomsAvailable") or 0) >= occupancy.rooms
            and (offer := self._offer(row, occupancy, property.currency)) is not None
        ]
        offers.sort(key=lambda o: o.total)
        return Availability(
            property_id=property.id,
            check_in=check_in,
            check_out=check_out,
            occupancy=occupancy,
            currency=property.currency,
            offers=offers,
        )

    async def _row_for(
        self, property: Property, request: QuoteRequest, *, check_rooms: bool = True
    ) -> tuple[Body, Offer]:
        """The rate row and offer for the request. `check_rooms=False` for a modification: the
        stay's own rooms count as taken, so `putReservation` is left to judge availability."""
        rows = await self._rate_rows(request.check_in, request.check_out, request.occupancy)
        for row in rows:
            wanted = (row["roomTypeID"], mapping.plan_code(row))
            if wanted != (request.room_type_code, request.rate_plan_code):
                continue
            offer = self._offer(row, request.occupancy, property.currency)
            if offer is None or (check_rooms and offer.available_rooms < request.occupancy.rooms):
                break
            return row, offer
        raise RoomUnavailable("cloudbeds: no room of this type and rate for the whole stay")

    async def quote(self, property: Property, request: QuoteRequest) -> Quote:
        _, offer = await self._row_for(property, request)
        policy = self._policy(offer.rate_plan_code)
        key = request.model_dump_json() + str(offer.total)
        return Quote(
            id="cloudbeds-" + hashlib.sha256(key.encode()).hexdigest()[:20],
            property_id=property.id,
            check_in=request.check_in,
            check_out=request.check_out,
            occupancy=request.occupancy,
            room_type_code=offer.room_type_code,
            rate_plan_code=offer.rate_plan_code,
            nights=offer.nights,
            subtotal=offer.subtotal,
            total=offer.total,
            currency=offer.currency,
            cancellation_policy=policy,
            free_cancellation_until=cancellation_policy.property_deadline(
                property, policy, request.check_in
            ),
            expires_at=self._now() + QUOTE_TTL,
        )

    # ---- reservations --------------------------------------------------------------------

    async def _find_by_marker(self, tag: str) -> str | None:
        since = (self._now() - IDEMPOTENCY_WINDOW).strftime("%Y-%m-%d %H:%M:%S")
        query = {"propertyID": self._property_id, "resultsFrom": since}
        rows = (await self._call("GET", "getReservations", query))["data"]
        found = [r for r in rows if (r.get("thirdPartyIdentifier") or "").startswith(tag + ":")]
        return str(found[0]["reservationID"]) if found else None

    async def create_reservation(
        self, property: Property, request: ReservationCreate, *, idempotency_key: str
    ) -> Reservation:
        """Book. Idempotent: `thirdPartyIdentifier` carries a marker of the key, and a retry
        within `IDEMPOTENCY_WINDOW` returns that booking instead of posting again."""
        tag = vendor.marker(idempotency_key)
        existing = await self._find_by_marker(tag)
        if existing is not None:
            log.info("pms.cloudbeds.idempotent_replay", marker=tag)
            return await self.get_reservation(property, existing)
        if not request.guest.email:
            raise InvalidRequest("cloudbeds: a booking needs the guest's email address")
        row, offer = await self._row_for(property, request)
        if request.expected_total is not None and offer.total != request.expected_total:
            raise RateChanged("cloudbeds: the price changed since the quote")
        form: Body = {
            "propertyID": self._property_id,
            "startDate": request.check_in,
            "endDate": request.check_out,
            "guestFirstName": request.guest.first_name,
            "guestLastName": request.guest.last_name or request.guest.first_name,
            "guestEmail": request.guest.email,
            "guestPhone": request.guest.phone,
            "guestCountry": property.country or None,
            "paymentMethod": self._payment_method,
            "thirdPartyIdentifier": f"{tag}:{offer.rate_plan_code}",
            "sendEmailConfirmation": True,
        }
        form |= mapping.room_fields(row["rateID"], request.room_type_code, request.occupancy)
        posted = await self._call("POST", "postReservation", form)
        log.info("pms.cloudbeds.reservation_posted", marker=tag)
        return await self.get_reservation(property, str(posted["reservationID"]))

    async def _raw(self, reference: str) -> Body:
        query = {"propertyID": self._property_id, "reservationID": reference}
        return dict((await self._call("GET", "getReservation", query))["data"])

    async def get_reservation(self, property: Property, reference: str) -> Reservation:
        raw = await self._raw(reference)
        query = {"propertyID": self._property_id, "reservationID": reference}
        guest = (await self._call("GET", "getGuest", query))["data"]
        return mapping.reservation(
            property, raw, guest, self._policy(mapping.reservation_plan(raw))
        )

    async def list_reservations(
        self, property: Property, contact: GuestContact
    ) -> list[Reservation]:
        query = {"propertyIDs": self._property_id, "guestEmail": contact.email}
        if not contact.email:
            query = {"propertyIDs": self._property_id, "guestPhone": contact.phone}
        guests = (await self._call("GET", "getGuestList", query))["data"] or {}
        references: list[str] = []
        for guest_id in guests:
            found = await self._call(
                "GET", "getReservations", {"propertyID": self._property_id, "guestID": guest_id}
            )
            references += [str(r["reservationID"]) for r in found["data"]]
        mine = [await self.get_reservation(property, ref) for ref in dict.fromkeys(references)]
        return sorted(mine, key=lambda r: r.check_in, reverse=True)

    async def modify_reservation(
        self, property: Property, reference: str, change: ReservationChange
    ) -> Reservation:
        """`putReservation` with the new room configuration; Cloudbeds refuses it whole."""
        current = await self.get_reservation(property, reference)
        if current.status is not ReservationStatus.CONFIRMED:
            raise ReservationNotModifiable("cloudbeds: only confirmed reservations can change")
        wanted = QuoteRequest(
            check_in=change.check_in or current.check_in,
            check_out=change.check_out or current.check_out,
            occupancy=change.occupancy or current.occupancy,
            room_type_code=current.room_type_code,
            rate_plan_code=current.rate_plan_code,
        )
        row, offer = await self._row_for(property, wanted, check_rooms=False)
        if change.expected_total is not None and offer.total != change.expected_total:
            raise RateChanged("cloudbeds: the price changed since the quote")
        form: Body = {"propertyID": self._property_id, "reservationID": reference}
        fields = mapping.room_fields(row["rateID"], wanted.room_type_code, wanted.occupancy)
        for i in range(wanted.occupancy.rooms):
            form |= {
                f"rooms[{i}][roomTypeID]": wanted.room_type_code,
                f"rooms[{i}][checkinDate]": wanted.check_in,
                f"rooms[{i}][checkoutDate]": wanted.check_out,
                f"rooms[{i}][adults]": fields[f"adults[{i}][quantity]"],
                f"rooms[{i}][children]": fields[f"children[{i}][quantity]"],
                f"rooms[{i}][rateID]": row["rateID"],
            }
        await self._call("PUT", "putReservation", form)
        return await self.get_reservation(property, reference)

    async def cancel_reservation(self, property: Property, reference: str) -> Cancellation:
        """`putReservation status=canceled` with the plan's fee as of now; idempotent."""
        current = await self.get_reservation(property, reference)
        if current.status is ReservationStatus.CANCELLED:
            when = current.cancelled_at or current.updated_at
        elif current.status is ReservationStatus.CONFIRMED:
            when = self._now()
        else:
            raise ReservationNotModifiable("cloudbeds: the stay has started or ended")
        fee = vendor.cancellation_fee(
            current.cancellation_policy,
            nights=current.nights,
            total=current.total,
            deadline=current.free_cancellation_until,
            now=when,
        )
        if current.status is ReservationStatus.CONFIRMED:
            form = {"propertyID": self._property_id, "reservationID": reference}
            await self._call("PUT", "putReservation", form | {"status": "canceled"})
        return Cancellation(
            reference=reference,
            status=ReservationStatus.CANCELLED,
            cancelled_at=when,
            fee=fee,
            # Folio payments stay in Cloudbeds; the adapter moves no money.
            refund=Decimal("0.00"),
            currency=current.currency,
        )

    # ---- services (not offered through this adapter) ------------------------------------

    async def list_services(self, property: Property) -> ServiceCatalogue:
        return ServiceCatalogue(
            property_id=property.id, currency=property.currency, services=[], room_service_menu=[]
        )


def create_adapter(config: AdapterConfig) -> CloudbedsAdapter:
    """Build from `pms_settings` (`property_id`, optional `base_url`, `non_refundable` plan codes
    comma-separated, `free_days`, `fee_nights`, `payment_method`) and the `api_key` secret."""
    api_key = config.secrets.get("api_key")
    if not api_key:
        raise PmsAuthError("cloudbeds: api_key is not configured for this property")
    property_id = config.settings.get("property_id")
    if not property_id:
        raise InvalidRequest("cloudbeds: pms_settings.property_id is required")
    plans = config.settings.get("non_refundable", "")
    return CloudbedsAdapter(
        config.settings.get("base_url") or "https://api.cloudbeds.com/api/v1.3",
        api_key,
        property_id,
        http=config.http,
        timeout_seconds=config.timeout_seconds,
        non_refundable=frozenset(p.strip() for p in plans.split(",") if p.strip()),
        free_days=int(config.settings.get("free_days") or 2),
        fee_nights=int(config.settings.get("fee_nights") or 1),
        payment_method=config.settings.get("payment_method") or "cash",
    )
