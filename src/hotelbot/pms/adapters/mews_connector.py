"""The Mews Connector API session behind `MewsAdapter`: one call, the cached enterprise setup,
and the lookups every operation builds on (free rooms, prices, customers, reservations).

Every call is `POST {base}/api/connector/v1/<operation>` with `ClientToken`, `AccessToken` and
`Client` in the JSON body; an error answer becomes our typed error (`mews_mapping.error_for`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hotelbot.pms.adapters import mews_mapping as mapping
from hotelbot.pms.adapters import vendor
from hotelbot.pms.errors import PmsError, ReservationNotFound
from hotelbot.pms.schemas import GuestDetails, NightPrice

Body = dict[str, Any]
API = "/api/connector/v1/"
SETUP_TTL = dt.timedelta(minutes=10)
#: How far back `reservations/add` retries are recognised by their marker.
IDEMPOTENCY_WINDOW = dt.timedelta(hours=24)
PAGE = {"Count": 1000}


class MewsConnector:
    """Calls to one Mews enterprise with its tokens; the setup is read once per `SETUP_TTL`."""

    def __init__(
        self,
        http: vendor.VendorHttp,
        auth: Body,
        *,
        service_id: str | None,
        now: Callable[[], dt.datetime],
    ) -> None:
        self._http = http
        self._auth = auth
        self._service_id = service_id
        self._now = now
        self._setup: mapping.Setup | None = None
        self._setup_lock = asyncio.Lock()

    async def call(self, operation: str, payload: Body) -> Body:
        request = self._http.request("POST", API + operation, json={**self._auth, **payload})
        response = await self._http.send(operation, request)
        if response.status_code in (200, 204):
            return self._http.json(response, operation) if response.content else {}
        raise self._http.failure(operation, mapping.error_for(operation, response))

    # ---- configuration -------------------------------------------------------------------

    async def setup(self) -> mapping.Setup:
        """Enterprise configuration, cached: it changes rarely and every call needs it."""
        setup = self._setup
        if setup is not None and self._now() - setup.loaded_at < SETUP_TTL:
            return setup
        async with self._setup_lock:
            if self._setup is None or self._now() - self._setup.loaded_at >= SETUP_TTL:
                self._setup = await self._load_setup()
            return self._setup

    async def _load_setup(self) -> mapping.Setup:
        config = await self.call("configuration/get", {})
        enterprise = config["Enterprise"]
        currencies = enterprise.get("Currencies") or []
        currency = next((c["Currency"] for c in currencies if c.get("IsDefault")), "EUR")
        service = await self._bookable_service()
        offsets = (service.get("Data") or {}).get("Value") or {}
        ids = {"ServiceIds": [service["Id"]], "Limitation": PAGE}
        categories = (await self.call("resourceCategories/getAll", ids))["ResourceCategories"]
        rates = [r for r in (await self.call("rates/getAll", ids))["Rates"] if r["IsActive"]]
        policies = await self._policies([r["GroupId"] for r in rates])
        ages = (await self.call("ageCategories/getAll", ids))["AgeCategories"]
        adult = next(a for a in ages if a.get("Classification") == "Adult")
        child = next((a for a in ages if a.get("Classification") == "Child"), None)
        return mapping.Setup(
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
        services = (await self.call("services/getAll", {"Limitation": PAGE}))["Services"]
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
        found = (await self.call("cancellationPolicies/getAll", payload))["CancellationPolicies"]
        return {p["RateGroupId"]: p for p in found}

    # ---- availability and prices ---------------------------------------------------------

    async def free_rooms(
        self, setup: mapping.Setup, check_in: dt.date, check_out: dt.date
    ) -> dict[str, int]:
        payload = {"ServiceId": setup.service_id, "Metrics": ["Occupied", "UsableResources"]}
        payload.update(mapping.interval(setup, check_in, check_out))
        answer = await self.call("services/getAvailability/2024-01-22", payload)
        free: dict[str, int] = {}
        for row in answer["ResourceCategoryAvailabilities"]:
            metrics = row["Metrics"]
            # Free = usable rooms minus rooms occupied (reservations, blocks, other services).
            pairs = zip(metrics["UsableResources"], metrics["Occupied"], strict=True)
            free[row["ResourceCategoryId"]] = min((u - o for u, o in pairs), default=0)
        return free

    async def prices(
        self, setup: mapping.Setup, rate_id: str, check_in: dt.date, check_out: dt.date, rooms: int
    ) -> dict[str, mapping.Priced]:
        payload = {"RateId": rate_id, **mapping.interval(setup, check_in, check_out)}
        answer = await self.call("rates/getPricing", payload)
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

    # ---- customers -----------------------------------------------------------------------

    async def customers_by_email(self, email: str) -> list[Body]:
        payload = {"Emails": [email], "Limitation": PAGE}
        return list((await self.call("customers/getAll", payload))["Customers"])

    async def customer_for(self, guest: GuestDetails) -> Body:
        """The guest's Mews customer: found by email, else created (Mews cannot filter by phone)."""
        if guest.email:
            found = await self.customers_by_email(guest.email)
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
        return await self.call("customers/add", payload)

    async def customer(self, customer_id: str) -> Body:
        payload = {"CustomerIds": [customer_id], "Limitation": PAGE}
        found = (await self.call("customers/getAll", payload))["Customers"]
        if not found:
            raise PmsError("mews: reservation owner not found")
        return dict(found[0])

    # ---- reservations --------------------------------------------------------------------

    async def reservations(self, payload: Body) -> list[Body]:
        answer = await self.call("reservations/getAll/2023-06-06", {**payload, "Limitation": PAGE})
        return list(answer["Reservations"])

    async def reservation(self, reference: str) -> Body:
        try:
            uuid.UUID(reference)
        except ValueError as exc:
            raise ReservationNotFound("mews: unknown reservation reference") from exc
        found = await self.reservations({"ReservationIds": [reference]})
        if not found:
            raise ReservationNotFound("mews: unknown reservation reference")
        return dict(found[0])

    async def find_by_marker(self, setup: mapping.Setup, tag: str) -> Body | None:
        """A reservation an earlier attempt with the same key already booked, if any."""
        now = self._now()
        created = {
            "StartUtc": mapping.utc_text(now - IDEMPOTENCY_WINDOW),
            "EndUtc": mapping.utc_text(now),
        }
        candidates = await self.reservations(
            {"ServiceIds": [setup.service_id], "CreatedUtc": created}
        )
        ours = [r for r in candidates if r.get("Origin") == "Connector"]
        if not ours:
            return None
        group_ids = sorted({r["GroupId"] for r in ours})
        payload = {"ReservationGroupIds": group_ids, "Limitation": PAGE}
        groups = (await self.call("reservationGroups/getAll", payload))["ReservationGroups"]
        tagged = {g["Id"] for g in groups if g.get("Name") == tag}
        return next((r for r in ours if r["GroupId"] in tagged), None)
