"""Mews adapter, written against the Mews Connector API (https://mews-systems.gitbook.io/connector-api).

Room types are Mews resource categories and rate plans are Mews rates (their ids are our codes).
Mews has no idempotency keys, so a booking carries a marker derived from ours as its
reservation-group name and is looked up before any `reservations/add`. The calls themselves live
in `mews_connector.py`, the JSON shapes and the error table (400/401/403/408/409/429/5xx) in
`mews_mapping.py`; see docs/pms-adapters.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
import structlog

import hotelbot.pms.schemas as pms
from hotelbot.pms.adapters import mews_mapping as mapping
from hotelbot.pms.adapters import vendor, vendor_answers, vendor_errors
from hotelbot.pms.adapters.base import AdapterConfig
from hotelbot.pms.adapters.mews_connector import MewsConnector
from hotelbot.pms.errors import InvalidRequest, PmsError, RoomUnavailable

log = structlog.get_logger(__name__)
NAME = "mews"


class MewsAdapter(vendor.VendorAdapter):
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
        auth = {"ClientToken": client_token, "AccessToken": access_token, "Client": client_name}
        self._api = MewsConnector(self._http, auth, service_id=service_id, now=now)

    # ---- inventory -----------------------------------------------------------------------

    async def list_room_types(self, property: pms.Property) -> list[pms.RoomType]:
        return list((await self._api.setup()).room_types.values())

    async def list_rate_plans(self, property: pms.Property) -> list[pms.RatePlan]:
        return list((await self._api.setup()).rate_plans.values())

    # ---- availability and prices ---------------------------------------------------------

    async def availability(
        self,
        property: pms.Property,
        check_in: dt.date,
        check_out: dt.date,
        occupancy: pms.Occupancy,
    ) -> pms.Availability:
        setup = await self._api.setup()
        free = await self._api.free_rooms(setup, check_in, check_out)
        fitting = {
            code: room
            for code, room in setup.room_types.items()
            if mapping.fits(room, occupancy) and free.get(code, 0) >= occupancy.rooms
        }
        offers: list[pms.Offer] = []
        for plan in setup.rate_plans.values() if fitting else []:
            priced = await self._api.prices(setup, plan.code, check_in, check_out, occupancy.rooms)
            for code, room in fitting.items():
                if code in priced:
                    offers.append(mapping.offer(setup, room, plan, priced[code], free[code]))
        return vendor_answers.availability(
            property, check_in, check_out, occupancy, offers, currency=setup.currency
        )

    async def _bookable_offer(
        self, request: pms.QuoteRequest
    ) -> tuple[mapping.Setup, pms.Offer, pms.RatePlan]:
        """The priced offer for the request; `RoomUnavailable` when it cannot be booked."""
        setup = await self._api.setup()
        room = setup.room_types.get(request.room_type_code)
        plan = setup.rate_plans.get(request.rate_plan_code)
        if room is None or plan is None:
            raise InvalidRequest("mews: unknown room type or rate plan")
        if not mapping.fits(room, request.occupancy):
            raise InvalidRequest("mews: the party does not fit this room type")
        free = await self._api.free_rooms(setup, request.check_in, request.check_out)
        if free.get(room.code, 0) < request.occupancy.rooms:
            raise RoomUnavailable("mews: no room of this type for the whole stay")
        rooms = request.occupancy.rooms
        priced = await self._api.prices(
            setup, plan.code, request.check_in, request.check_out, rooms
        )
        if room.code not in priced:
            raise RoomUnavailable("mews: the rate does not sell this room type on these dates")
        return setup, mapping.offer(setup, room, plan, priced[room.code], free[room.code]), plan

    async def quote(self, property: pms.Property, request: pms.QuoteRequest) -> pms.Quote:
        setup, offer, plan = await self._bookable_offer(request)
        return vendor_answers.quote(
            NAME,
            property,
            request,
            offer,
            policy=plan.cancellation_policy,
            free_until=mapping.deadline(setup, plan, request.check_in),
            now=self._now(),
        )

    # ---- reservations --------------------------------------------------------------------

    async def create_reservation(
        self, property: pms.Property, request: pms.ReservationCreate, *, idempotency_key: str
    ) -> pms.Reservation:
        """Book one room. Idempotent: the booking's group is named after the key, and a retry
        finds it (within `IDEMPOTENCY_WINDOW`, see `mews_connector`) instead of calling
        `reservations/add` again."""
        if request.occupancy.rooms != 1:
            raise vendor_errors.unsupported(NAME, "booking several rooms in one reservation")
        setup = await self._api.setup()
        tag = vendor.marker(idempotency_key)
        existing = await self._api.find_by_marker(setup, tag)
        if existing is not None:
            vendor.log_replay(NAME, tag)
            return await self._reservation(property, setup, existing)
        _, offer, _ = await self._bookable_offer(request)
        vendor_errors.check_price(NAME, request.expected_total, offer.total)
        customer = await self._api.customer_for(request.guest)
        item = {
            "Identifier": tag,
            "State": "Confirmed",
            **mapping.stay_utc(setup, request.check_in, request.check_out),
            "CustomerId": customer["Id"],
            "BookerId": customer["Id"],
            "RequestedCategoryId": request.room_type_code,
            "RateId": request.rate_plan_code,
            "Notes": f"{tag} {request.notes}".strip(),
            "PersonCounts": mapping.person_counts(setup, request.occupancy),
        }
        payload: mapping.Body = {
            "ServiceId": setup.service_id,
            "GroupName": tag,
            "Reservations": [item],
        }
        payload["SendConfirmationEmail"] = bool(request.guest.email)
        added = (await self._api.call("reservations/add", payload))["Reservations"][0]
        log.info("pms.mews.reservation_added", marker=tag)
        return await self.get_reservation(property, added["Reservation"]["Id"])

    async def get_reservation(self, property: pms.Property, reference: str) -> pms.Reservation:
        setup = await self._api.setup()
        return await self._reservation(property, setup, await self._api.reservation(reference))

    async def _reservation(
        self, property: pms.Property, setup: mapping.Setup, raw: mapping.Body
    ) -> pms.Reservation:
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
        priced = (await self._api.prices(setup, plan.code, check_in, check_out, 1)).get(category)
        nights = priced.nights if priced else []
        total = sum((n.amount for n in nights), Decimal(0))
        owner = await self._api.customer(raw.get("AccountId") or raw["CustomerId"])
        status = mapping.STATES.get(raw["State"], pms.ReservationStatus.CONFIRMED)
        return pms.Reservation(
            reference=raw["Id"],
            property_id=property.id,
            status=status,
            check_in=check_in,
            check_out=check_out,
            occupancy=mapping.occupancy(setup, raw.get("PersonCounts") or []),
            room_type_code=category,
            rate_plan_code=plan.code,
            guest=mapping.guest(owner),
            nights=nights,
            subtotal=total,
            taxes=mapping.tax_lines(priced) if priced else [],
            total=total,
            currency=setup.currency,
            cancellation_policy=plan.cancellation_policy,
            free_cancellation_until=mapping.deadline(setup, plan, check_in),
            created_at=mapping.parse_utc(raw["CreatedUtc"]),
            updated_at=mapping.parse_utc(raw["UpdatedUtc"]),
            cancelled_at=mapping.parse_utc(raw["CancelledUtc"])
            if raw.get("CancelledUtc")
            else None,
        )

    async def list_reservations(
        self, property: pms.Property, contact: pms.GuestContact
    ) -> list[pms.Reservation]:
        """By email only: the Connector API cannot filter customers by phone number."""
        if not contact.email:
            return []
        setup = await self._api.setup()
        customers = await self._api.customers_by_email(contact.email)
        if not customers:
            return []
        raws = await self._api.reservations({"AccountIds": [c["Id"] for c in customers]})
        return vendor_answers.newest_first(
            [await self._reservation(property, setup, r) for r in raws]
        )

    async def modify_reservation(
        self, property: pms.Property, reference: str, change: pms.ReservationChange
    ) -> pms.Reservation:
        """`reservations/update` with overbooking checks: Mews applies all of it or nothing."""
        current = await self.get_reservation(property, reference)
        wanted = vendor_answers.changed_stay(NAME, current, change)
        setup = await self._api.setup()
        room = setup.room_types[current.room_type_code]
        if not mapping.fits(room, wanted.occupancy) or wanted.occupancy.rooms != 1:
            raise InvalidRequest("mews: the party does not fit this room type")
        priced = await self._api.prices(
            setup, wanted.rate_plan_code, wanted.check_in, wanted.check_out, 1
        )
        new = priced.get(wanted.room_type_code)
        total = sum((n.amount for n in new.nights), Decimal(0)) if new else None
        vendor_errors.check_price(NAME, change.expected_total, total)
        stay = mapping.stay_utc(setup, wanted.check_in, wanted.check_out)
        update = {
            "ReservationId": reference,
            "StartUtc": {"Value": stay["StartUtc"]},
            "EndUtc": {"Value": stay["EndUtc"]},
            "PersonCounts": {"Value": mapping.person_counts(setup, wanted.occupancy)},
        }
        payload = {"Reason": "Guest request via hotelbot", "CheckOverbooking": True}
        payload.update(Reprice=True, ReservationUpdates=[update])
        await self._api.call("reservations/update", payload)
        return await self.get_reservation(property, reference)

    async def cancel_reservation(self, property: pms.Property, reference: str) -> pms.Cancellation:
        """Cancel with the plan's fee as of now; cancelling twice answers the same way."""
        current = await self.get_reservation(property, reference)
        when = vendor_answers.cancelled_at(NAME, current, self._now())
        answer = vendor_answers.cancellation(reference, current, when)
        if current.status is pms.ReservationStatus.CONFIRMED:
            # Mews posts the fee to the guest's bill; payments stay there.
            payload = {"ReservationIds": [reference], "PostCancellationFee": answer.fee > 0}
            payload["Notes"] = "Cancelled by the guest via hotelbot"
            await self._api.call("reservations/cancel", payload)
        return answer

    # ---- services (not offered through this adapter) ------------------------------------

    async def list_services(self, property: pms.Property) -> pms.ServiceCatalogue:
        """Empty, in the enterprise's currency (which may differ from the property row's)."""
        setup = await self._api.setup()
        return pms.ServiceCatalogue(
            property_id=property.id, currency=setup.currency, services=[], room_service_menu=[]
        )


def create_adapter(config: AdapterConfig) -> MewsAdapter:
    """Build from `pms_settings` (`base_url`, optional `service_id`, `client_name`) and the
    secrets `client_token` and `access_token` from `HOTELBOT_PMS__CREDENTIALS`."""
    vendor_errors.require(NAME, config, secrets=["client_token", "access_token"])
    return MewsAdapter(
        config.settings.get("base_url") or "https://api.mews.com",
        config.secrets["client_token"],
        config.secrets["access_token"],
        config.settings.get("client_name") or "hotelbot 0.1.0",
        http=config.http,
        timeout_seconds=config.timeout_seconds,
        service_id=config.settings.get("service_id") or None,
        property_id=str(config.property.id),
    )
