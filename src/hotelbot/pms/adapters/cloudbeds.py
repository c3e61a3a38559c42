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
from collections import defaultdict
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import httpx
import structlog

import hotelbot.pms.schemas as pms
from hotelbot.pms import policy as cancellation_policy
from hotelbot.pms.adapters import cloudbeds_mapping as mapping
from hotelbot.pms.adapters import vendor, vendor_answers, vendor_errors
from hotelbot.pms.adapters.base import AdapterConfig
from hotelbot.pms.adapters.settings_policy import SettingsPolicy
from hotelbot.pms.errors import InvalidRequest, RoomUnavailable

log = structlog.get_logger(__name__)
Body = dict[str, Any]
NAME = "cloudbeds"
IDEMPOTENCY_WINDOW = dt.timedelta(hours=24)


class CloudbedsAdapter(vendor.VendorAdapter):
    """`PmsAdapter` over one Cloudbeds property. Cancellation terms are not exposed by v1.3, so
    they come from settings (`cancellation`)."""

    name = NAME

    def __init__(
        self,
        base_url: str,
        api_key: str,
        cloudbeds_property_id: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http: httpx.AsyncClient | None = None,
        timeout_seconds: float = 10.0,
        cancellation: SettingsPolicy = SettingsPolicy(),
        payment_method: str = "cash",
        now: Callable[[], dt.datetime] = vendor.utc_now,
        property_id: str | None = None,
    ) -> None:
        super().__init__(
            base_url,
            transport=transport,
            http=http,
            timeout_seconds=timeout_seconds,
            now=now,
            property_id=property_id,
        )
        self._headers = {"x-api-key": api_key, "X-PROPERTY-ID": cloudbeds_property_id}
        self._cloudbeds_id = cloudbeds_property_id
        self._cancellation = cancellation
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
            raise self._http.failure(method, mapping.http_error(method, response.status_code))
        body = self._http.json(response, method)
        if not isinstance(body, dict) or body.get("success") is not True:
            message = str((body or {}).get("message") or "")
            raise self._http.failure(method, mapping.refusal(method, message))
        return body

    # ---- inventory -----------------------------------------------------------------------

    async def list_room_types(self, property: pms.Property) -> list[pms.RoomType]:
        body = await self._call("GET", "getRoomTypes", {"propertyIDs": self._cloudbeds_id})
        return [mapping.room_type(r) for r in body["data"]]

    async def _rate_rows(
        self, check_in: dt.date, check_out: dt.date, occupancy: pms.Occupancy
    ) -> list[Body]:
        per_room = mapping.per_room(occupancy)
        query = {
            "propertyIDs": self._cloudbeds_id,
            "startDate": check_in,
            "endDate": check_out,
            "adults": per_room.adults,
            "children": per_room.children,
            "detailedRates": True,
        }
        return list((await self._call("GET", "getRatePlans", query))["data"])

    async def list_rate_plans(self, property: pms.Property) -> list[pms.RatePlan]:
        today = vendor.local_today(self._now(), property.timezone)
        rows = await self._rate_rows(today, today + dt.timedelta(days=1), pms.Occupancy())
        rooms: dict[str, list[str]] = defaultdict(list)
        names: dict[str, str] = {}
        for row in rows:
            code = mapping.plan_code(row)
            rooms[code].append(row["roomTypeID"])
            names[code] = row.get("ratePlanNamePublic") or "Room rate"
        return [
            pms.RatePlan(
                code=code,
                name=names[code],
                refundable=self._cancellation.for_plan(code).refundable,
                cancellation_policy=self._cancellation.for_plan(code),
                room_type_codes=rooms[code],
            )
            for code in names
        ]

    def _offer(self, row: Body, occupancy: pms.Occupancy, currency: str) -> pms.Offer | None:
        nights = mapping.rate_nights(row, occupancy.rooms)
        if not nights:
            return None
        subtotal = sum((n.amount for n in nights), Decimal(0))
        code = mapping.plan_code(row)
        return pms.Offer(
            room_type_code=row["roomTypeID"],
            room_type_name=str(row.get("roomTypeName") or row["roomTypeID"]),
            rate_plan_code=code,
            rate_plan_name=row.get("ratePlanNamePublic") or "Room rate",
            available_rooms=max(int(row.get("roomsAvailable") or 0), 0),
            breakfast_included=False,
            refundable=self._cancellation.for_plan(code).refundable,
            nights=nights,
            subtotal=subtotal,
            total=subtotal,
            currency=currency,
        )

    async def availability(
        self,
        property: pms.Property,
        check_in: dt.date,
        check_out: dt.date,
        occupancy: pms.Occupancy,
    ) -> pms.Availability:
        rows = await self._rate_rows(check_in, check_out, occupancy)
        offers = [
            offer
            for row in rows
            if int(row.get("roomsAvailable") or 0) >= occupancy.rooms
            and (offer := self._offer(row, occupancy, property.currency)) is not None
        ]
        return vendor_answers.availability(property, check_in, check_out, occupancy, offers)

    async def _row_for(
        self, property: pms.Property, request: pms.QuoteRequest, *, check_rooms: bool = True
    ) -> tuple[Body, pms.Offer]:
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

    async def quote(self, property: pms.Property, request: pms.QuoteRequest) -> pms.Quote:
        _, offer = await self._row_for(property, request)
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

    async def _find_by_marker(self, tag: str) -> str | None:
        since = (self._now() - IDEMPOTENCY_WINDOW).strftime("%Y-%m-%d %H:%M:%S")
        query = {"propertyID": self._cloudbeds_id, "resultsFrom": since}
        rows = (await self._call("GET", "getReservations", query))["data"]
        found = [r for r in rows if (r.get("thirdPartyIdentifier") or "").startswith(tag + ":")]
        return str(found[0]["reservationID"]) if found else None

    async def create_reservation(
        self, property: pms.Property, request: pms.ReservationCreate, *, idempotency_key: str
    ) -> pms.Reservation:
        """Book. Idempotent: `thirdPartyIdentifier` carries a marker of the key, and a retry
        within `IDEMPOTENCY_WINDOW` returns that booking instead of posting again."""
        tag = vendor.marker(idempotency_key)
        existing = await self._find_by_marker(tag)
        if existing is not None:
            vendor.log_replay(NAME, tag)
            return await self.get_reservation(property, existing)
        if not request.guest.email:
            raise InvalidRequest("cloudbeds: a booking needs the guest's email address")
        row, offer = await self._row_for(property, request)
        vendor_errors.check_price(NAME, request.expected_total, offer.total)
        form: Body = {
            "propertyID": self._cloudbeds_id,
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
        query = {"propertyID": self._cloudbeds_id, "reservationID": reference}
        return dict((await self._call("GET", "getReservation", query))["data"])

    async def get_reservation(self, property: pms.Property, reference: str) -> pms.Reservation:
        raw = await self._raw(reference)
        query = {"propertyID": self._cloudbeds_id, "reservationID": reference}
        guest = (await self._call("GET", "getGuest", query))["data"]
        policy = self._cancellation.for_plan(mapping.reservation_plan(raw))
        return mapping.reservation(property, raw, guest, policy)

    async def list_reservations(
        self, property: pms.Property, contact: pms.GuestContact
    ) -> list[pms.Reservation]:
        query = {"propertyIDs": self._cloudbeds_id, "guestEmail": contact.email}
        if not contact.email:
            query = {"propertyIDs": self._cloudbeds_id, "guestPhone": contact.phone}
        guests = (await self._call("GET", "getGuestList", query))["data"] or {}
        references: list[str] = []
        for guest_id in guests:
            found = await self._call(
                "GET", "getReservations", {"propertyID": self._cloudbeds_id, "guestID": guest_id}
            )
            references += [str(r["reservationID"]) for r in found["data"]]
        mine = [await self.get_reservation(property, ref) for ref in dict.fromkeys(references)]
        return vendor_answers.newest_first(mine)

    async def modify_reservation(
        self, property: pms.Property, reference: str, change: pms.ReservationChange
    ) -> pms.Reservation:
        """`putReservation` with the new room configuration; Cloudbeds refuses it whole."""
        current = await self.get_reservation(property, reference)
        wanted = vendor_answers.changed_stay(NAME, current, change)
        row, offer = await self._row_for(property, wanted, check_rooms=False)
        vendor_errors.check_price(NAME, change.expected_total, offer.total)
        form: Body = {"propertyID": self._cloudbeds_id, "reservationID": reference}
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

    async def cancel_reservation(self, property: pms.Property, reference: str) -> pms.Cancellation:
        """`putReservation status=canceled` with the plan's fee as of now; idempotent."""
        current = await self.get_reservation(property, reference)
        when = vendor_answers.cancelled_at(NAME, current, self._now())
        answer = vendor_answers.cancellation(reference, current, when)
        if current.status is pms.ReservationStatus.CONFIRMED:
            form = {"propertyID": self._cloudbeds_id, "reservationID": reference}
            await self._call("PUT", "putReservation", form | {"status": "canceled"})
        return answer


def create_adapter(config: AdapterConfig) -> CloudbedsAdapter:
    """Build from `pms_settings` (`property_id`, optional `base_url`, `non_refundable` plan codes
    comma-separated, `free_days`, `fee_nights`, `payment_method`) and the `api_key` secret."""
    vendor_errors.require(NAME, config, secrets=["api_key"], settings=["property_id"])
    return CloudbedsAdapter(
        config.settings.get("base_url") or "https://api.cloudbeds.com/api/v1.3",
        config.secrets["api_key"],
        config.settings["property_id"],
        http=config.http,
        timeout_seconds=config.timeout_seconds,
        cancellation=SettingsPolicy.from_settings(config.settings),
        payment_method=config.settings.get("payment_method") or "cash",
        property_id=str(config.property.id),
    )
