"""QloApps adapter, written against the QloApps webservice (https://devdocs.qloapps.com/webservice/).

Every call goes to `{base_url}/api/<resource>` with the webservice key as the HTTP basic user
and `output_format=JSON`. Availability and prices come from `hotel_ari` (a date-wise search,
XML request body), bookings from the Bookings API (`bookings`, JSON body), a booking's state
from `orders` and guests from `customers`. The JSON shapes and the error table live in
`qloapps_mapping.py`. QloApps has one price per room type, so each room type has one rate plan,
`base-<id_room_type>`; cancellation terms come from settings (`settings_policy.py`).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import structlog

import hotelbot.pms.schemas as pms
from hotelbot.pms import policy as cancellation_policy
from hotelbot.pms.adapters import qloapps_mapping as mapping
from hotelbot.pms.adapters import vendor, vendor_answers, vendor_errors
from hotelbot.pms.adapters.base import AdapterConfig
from hotelbot.pms.adapters.settings_policy import SettingsPolicy, codes
from hotelbot.pms.errors import (
    InvalidRequest,
    PmsError,
    ReservationNotFound,
    RoomUnavailable,
)

log = structlog.get_logger(__name__)
Body = dict[str, Any]
NAME = "qloapps"
CANCELLED_STATES = frozenset({"4", "5"})
#: How many of a guest's latest bookings are searched for an idempotency marker.
IDEMPOTENCY_DEPTH = 10


class QloAppsAdapter(vendor.VendorAdapter):
    """`PmsAdapter` over one QloApps hotel. The webservice exposes no cancellation policy, so it
    comes from settings (`cancellation`)."""

    name = NAME

    def __init__(
        self,
        base_url: str,
        api_key: str,
        hotel_id: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http: httpx.AsyncClient | None = None,
        timeout_seconds: float = 10.0,
        cancellation: SettingsPolicy = SettingsPolicy(),
        cancelled_states: frozenset[str] = CANCELLED_STATES,
        now: Callable[[], dt.datetime] = vendor.utc_now,
        property_id: str | None = None,
    ) -> None:
        super().__init__(
            base_url.rstrip("/") + "/api",
            transport=transport,
            http=http,
            timeout_seconds=timeout_seconds,
            now=now,
            property_id=property_id,
        )
        token = base64.b64encode(f"{api_key}:".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}"}
        self._hotel_id = hotel_id
        self._cancellation = cancellation
        self._cancelled_states = cancelled_states

    # ---- transport -----------------------------------------------------------------------

    async def _call(
        self,
        verb: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Body | None = None,
        xml: bytes | None = None,
        not_found: type[PmsError] | None = None,
    ) -> Any:
        operation = f"{verb} {path.split('/')[1]}"
        query = (params or {}) | {"output_format": "JSON"}
        headers = dict(self._headers)
        if xml is not None:
            headers["Content-Type"] = "application/xml"
        request = self._http.request(
            verb, path, params=query, json=json, content=xml, headers=headers
        )
        response = await self._http.send(operation, request)
        if response.status_code >= 400:
            try:
                messages = mapping.error_messages(response.json())
            except ValueError:
                messages = []
            error = mapping.http_error(operation, response.status_code, messages, not_found)
            raise self._http.failure(operation, error)
        return self._http.json(response, operation)

    # ---- inventory -----------------------------------------------------------------------

    async def _ari(
        self,
        check_in: dt.date,
        check_out: dt.date,
        occupancy: pms.Occupancy | None,
        room_type: str | None = None,
    ) -> list[Body]:
        body = mapping.ari_request(self._hotel_id, check_in, check_out, occupancy, room_type)
        return mapping.ari_days(await self._call("POST", "/hotel_ari", xml=body))

    async def list_room_types(self, property: pms.Property) -> list[pms.RoomType]:
        """The hotel's room types (as `hotel_ari` reports them) with `room_types` details."""
        today = vendor.local_today(self._now(), property.timezone)
        ids = mapping.ari_room_type_ids(await self._ari(today, today + dt.timedelta(days=1), None))
        if not ids:
            return []
        query = {"filter[id]": "[" + "|".join(ids) + "]", "display": "full"}
        rows = mapping.listing(await self._call("GET", "/room_types", params=query), "room_types")
        return sorted((mapping.room_type(r) for r in rows), key=lambda r: ids.index(r.code))

    async def list_rate_plans(self, property: pms.Property) -> list[pms.RatePlan]:
        plans = []
        for room in await self.list_room_types(property):
            code = mapping.plan_code(room.code)
            policy = self._cancellation.for_plan(code)
            plans.append(
                pms.RatePlan(
                    code=code,
                    name=f"{room.name} rate",
                    refundable=policy.refundable,
                    cancellation_policy=policy,
                    room_type_codes=[room.code],
                )
            )
        return plans

    def _offer(
        self, days: list[Body], room_type: str, occupancy: pms.Occupancy, currency: str
    ) -> pms.Offer | None:
        stay = mapping.ari_stay(days, room_type)
        if stay is None:
            return None
        rows, free = stay
        nights, tax = mapping.ari_prices(rows, occupancy.rooms)
        subtotal = sum((n.amount for n in nights), Decimal(0))
        code = mapping.plan_code(room_type)
        name = mapping.text(rows[0].get("name")) or f"Room type {room_type}"
        return pms.Offer(
            room_type_code=room_type,
            room_type_name=name,
            rate_plan_code=code,
            rate_plan_name=f"{name} rate",
            available_rooms=free,
            breakfast_included=False,
            refundable=self._cancellation.for_plan(code).refundable,
            nights=nights,
            subtotal=subtotal,
            taxes=vendor.extra_taxes(tax),
            total=subtotal + tax,
            currency=currency,
        )

    async def availability(
        self,
        property: pms.Property,
        check_in: dt.date,
        check_out: dt.date,
        occupancy: pms.Occupancy,
    ) -> pms.Availability:
        days = await self._ari(check_in, check_out, occupancy)
        offers = [
            offer
            for room_type in mapping.ari_room_type_ids(days)
            if (offer := self._offer(days, room_type, occupancy, property.currency)) is not None
            and offer.available_rooms >= occupancy.rooms
        ]
        return vendor_answers.availability(property, check_in, check_out, occupancy, offers)

    async def _priced(
        self, property: pms.Property, request: pms.QuoteRequest, *, check_rooms: bool = True
    ) -> pms.Offer:
        """The offer for the request. `check_rooms=False` for a modification: the stay's own
        rooms count as taken in `hotel_ari`, so QloApps is left to judge availability."""
        room_type = mapping.room_type_of(request.rate_plan_code)
        if room_type != request.room_type_code or not room_type.isdigit():
            raise InvalidRequest("qloapps: the rate plan does not belong to this room type")
        days = await self._ari(request.check_in, request.check_out, request.occupancy, room_type)
        offer = self._offer(days, room_type, request.occupancy, property.currency)
        if offer is None or (check_rooms and offer.available_rooms < request.occupancy.rooms):
            raise RoomUnavailable("qloapps: no room of this type for the whole stay")
        return offer

    async def quote(self, property: pms.Property, request: pms.QuoteRequest) -> pms.Quote:
        offer = await self._priced(property, request)
        policy = self._cancellation.for_plan(offer.rate_plan_code)
        return vendor_answers.quote(
            NAME,
            property,
            request,
            offer,
            policy=policy,
            free_until=cancellation_policy.property_deadline(property, policy, request.check_in),
            now=self._now(),
        )

    # ---- reservations --------------------------------------------------------------------

    async def _customer_orders(self, email: str, *, latest: int | None = None) -> list[str]:
        """Ids of the bookings of every QloApps customer with this e-mail, newest first."""
        query = {"filter[email]": f"[{email}]", "display": "[id]"}
        customers = mapping.listing(
            await self._call("GET", "/customers", params=query), "customers"
        )
        references: list[str] = []
        for customer in customers:
            query = {
                "filter[id_customer]": f"[{customer['id']}]",
                "display": "[id]",
                "sort": "[id_DESC]",
            }
            if latest:
                query["limit"] = str(latest)
            orders = await self._call("GET", "/orders", params=query)
            references += [str(o["id"]) for o in mapping.listing(orders, "orders")]
        return sorted(set(references), key=int, reverse=True)

    async def _find_by_marker(self, tag: str, email: str) -> str | None:
        for reference in await self._customer_orders(email, latest=IDEMPOTENCY_DEPTH):
            try:
                raw = await self._raw(reference)
            except ReservationNotFound:
                continue  # the guest's booking at another hotel of the same QloApps install
            if any(remark.startswith(tag) for remark in mapping.remarks(raw)):
                return reference
        return None

    async def create_reservation(
        self, property: pms.Property, request: pms.ReservationCreate, *, idempotency_key: str
    ) -> pms.Reservation:
        """Book. Idempotent: the booking's remark starts with a marker of the key, and a retry
        finds it among the guest's latest bookings instead of posting again."""
        if not request.guest.email:
            raise InvalidRequest("qloapps: a booking needs the guest's email address")
        tag = vendor.marker(idempotency_key)
        existing = await self._find_by_marker(tag, request.guest.email)
        if existing is not None:
            vendor.log_replay(NAME, tag)
            return await self.get_reservation(property, existing)
        offer = await self._priced(property, request)
        vendor_errors.check_price(NAME, request.expected_total, offer.total)
        line = mapping.room_line(
            request.room_type_code, request.check_in, request.check_out, request.occupancy
        )
        guest = request.guest
        booking = {
            "id_property": int(self._hotel_id),
            "currency": property.currency,
            "booking_status": mapping.BOOKING_NEW,
            "payment_status": 3,  # awaiting payment: the guest pays at the hotel
            "source": "hotelbot",
            "remark": f"{tag}\n{request.notes}".strip(),
            "associations": {
                "customer_detail": {
                    "firstname": guest.first_name,
                    "lastname": guest.last_name or guest.first_name,
                    "email": guest.email,
                    "phone": guest.phone or "",
                },
                "room_types": [line],
            },
        }
        posted = await self._call("POST", "/bookings", json={"booking": booking})
        log.info("pms.qloapps.booking_posted", marker=tag)
        return await self.get_reservation(property, str(posted["booking"]["id"]))

    async def _raw(self, reference: str) -> Body:
        """The `bookings/{id}` answer; another hotel's booking counts as unknown."""
        if not reference.isdigit():
            raise ReservationNotFound("qloapps: unknown reservation reference")
        body = await self._call("GET", f"/bookings/{reference}", not_found=ReservationNotFound)
        raw = dict(body.get("booking") or {}) if isinstance(body, dict) else {}
        if str(raw.get("id_property")) != self._hotel_id:
            raise ReservationNotFound("qloapps: unknown reservation reference")
        return raw

    async def _view(self, property: pms.Property, raw: Body) -> pms.Reservation:
        found = await self._call("GET", f"/orders/{raw['id']}", not_found=ReservationNotFound)
        order = found["order"]
        lines = mapping.room_lines(raw)
        plan = mapping.plan_code(lines[0]["id_room_type"]) if lines else ""
        policy = self._cancellation.for_plan(plan)
        return mapping.reservation(property, raw, order, policy, self._cancelled_states)

    async def get_reservation(self, property: pms.Property, reference: str) -> pms.Reservation:
        return await self._view(property, await self._raw(reference))

    async def list_reservations(
        self, property: pms.Property, contact: pms.GuestContact
    ) -> list[pms.Reservation]:
        """By e-mail only: QloApps customers carry no phone to filter on."""
        if not contact.email:
            return []
        mine: list[pms.Reservation] = []
        for reference in await self._customer_orders(contact.email):
            try:
                mine.append(await self.get_reservation(property, reference))
            except ReservationNotFound:
                continue  # a booking at another hotel of the same QloApps install
        return vendor_answers.newest_first(mine)

    async def _put(self, raw: Body, lines: list[Body], **fields: Any) -> None:
        booking = {
            "id": int(raw["id"]),
            "id_property": int(self._hotel_id),
            **fields,
            "associations": {
                "customer_detail": mapping.customer_detail(raw),
                "room_types": lines,
            },
        }
        await self._call(
            "PUT",
            f"/bookings/{raw['id']}",
            json={"booking": booking},
            not_found=ReservationNotFound,
        )

    async def modify_reservation(
        self, property: pms.Property, reference: str, change: pms.ReservationChange
    ) -> pms.Reservation:
        """New dates (and party) through a Bookings API PUT. QloApps checks the new nights before
        it releases the old ones and refuses the PUT whole, so the old stay stays on failure."""
        raw = await self._raw(reference)
        current = await self._view(property, raw)
        wanted = vendor_answers.changed_stay(NAME, current, change)
        if (wanted.check_in, wanted.check_out) == (current.check_in, current.check_out):
            # A PUT line with the booked type and dates keeps the booked rooms as they are.
            raise vendor_errors.unsupported(NAME, "changing the party without new dates")
        offer = await self._priced(property, wanted, check_rooms=False)
        vendor_errors.check_price(NAME, change.expected_total, offer.total)
        line = mapping.room_line(
            wanted.room_type_code, wanted.check_in, wanted.check_out, wanted.occupancy
        )
        await self._put(raw, [line])
        return await self.get_reservation(property, reference)

    async def cancel_reservation(self, property: pms.Property, reference: str) -> pms.Cancellation:
        """`booking_status=3` with the rooms resent unchanged, and the plan's fee as of now;
        idempotent."""
        raw = await self._raw(reference)
        current = await self._view(property, raw)
        answer = vendor_answers.cancellation(
            reference, current, vendor_answers.cancelled_at(NAME, current, self._now())
        )
        if current.status is pms.ReservationStatus.CONFIRMED:
            await self._put(raw, mapping.kept_lines(raw), booking_status=mapping.BOOKING_CANCELLED)
            log.info("pms.qloapps.booking_cancelled")
        return answer


def create_adapter(config: AdapterConfig) -> QloAppsAdapter:
    """Build from `pms_settings` (`base_url` and `hotel_id` required; `non_refundable` plan codes
    comma-separated, `free_days`, `fee_nights`, `cancelled_states` order-state ids) and the
    `api_key` secret."""
    vendor_errors.require(NAME, config, secrets=["api_key"], settings=["base_url", "hotel_id"])
    hotel_id = config.settings["hotel_id"]
    if not hotel_id.isdigit():
        raise vendor_errors.misconfigured(NAME, config, "pms_settings.hotel_id must be a number")
    return QloAppsAdapter(
        config.settings["base_url"],
        config.secrets["api_key"],
        hotel_id,
        http=config.http,
        timeout_seconds=config.timeout_seconds,
        cancellation=SettingsPolicy.from_settings(config.settings),
        cancelled_states=codes(config.settings.get("cancelled_states")) or CANCELLED_STATES,
        property_id=str(config.property.id),
    )
