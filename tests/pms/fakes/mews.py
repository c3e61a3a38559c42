"""A local stand-in for the Mews Connector API (https://mews-systems.gitbook.io/connector-api).

It answers the operations the Mews adapter uses, in the documented shapes (every call is a
`POST /api/connector/v1/<operation>` whose JSON body carries `ClientToken`, `AccessToken` and
`Client`), keeps its state in memory, and returns the documented errors: 400 malformed request,
401 bad tokens, 403 business-rule failure, 404 unknown operation, 408/429/500 on demand. All ids,
names and prices are our own; nothing is copied from Mews' examples.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

Body = dict[str, Any]
VAT = Decimal("0.10")
TAX_CODE = "ES-2026-R"


class MewsFakeError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Category:
    id: str
    name: str
    capacity: int
    extra_capacity: int
    units: int
    base_price: Decimal


@dataclass
class Rate:
    id: str
    name: str
    short_name: str
    group_id: str
    factor: Decimal
    #: "Creation" (non-refundable) or "Start" with `free_days` before arrival.
    applicability: str
    free_days: int = 0


@dataclass
class Failure:
    status: int
    message: str
    operation: str | None = None
    retry_after: str | None = None


def _uid() -> str:
    return str(uuid.uuid4())


@dataclass
class MewsFakeState:
    client_token: str = "fake-client-token-quinta-azul"
    access_token: str = "fake-access-token-quinta-azul"
    enterprise_id: str = field(default_factory=_uid)
    service_id: str = field(default_factory=_uid)
    timezone: str = "Europe/Madrid"
    currency: str = "EUR"
    adult_id: str = field(default_factory=_uid)
    child_id: str = field(default_factory=_uid)
    categories: list[Category] = field(default_factory=list)
    rates: list[Rate] = field(default_factory=list)
    customers: dict[str, Body] = field(default_factory=dict)
    reservations: dict[str, Body] = field(default_factory=dict)
    groups: dict[str, Body] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    #: Every operation called, in order, for assertions such as "add was sent once".
    calls: list[str] = field(default_factory=list)
    now: Callable[[], dt.datetime] = lambda: dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    next_number: int = 7001

    def fail_next(
        self,
        status: int,
        message: str = "Simulated failure.",
        *,
        operation: str | None = None,
        retry_after: str | None = None,
    ) -> None:
        """Make the next call (to `operation`, when given) answer `status`."""
        self.failures.append(Failure(status, message, operation, retry_after))

    def night_price(self, rate: Rate, category: Category, night: dt.date) -> Decimal:
        weekend = Decimal("20") if night.weekday() in (4, 5) else Decimal("0")
        return ((category.base_price + weekend) * rate.factor).quantize(Decimal("0.01"))

    def local_date(self, utc_text: str) -> dt.date:
        return _parse_utc(utc_text).astimezone(ZoneInfo(self.timezone)).date()

    def night_start_utc(self, night: dt.date) -> str:
        local = dt.datetime.combine(night, dt.time(0, 0), ZoneInfo(self.timezone))
        return _utc_text(local)


def default_state() -> MewsFakeState:
    state = MewsFakeState()
    state.categories = [
        Category(_uid(), "Harbour Double", 2, 1, 3, Decimal("110.00")),
        Category(_uid(), "Garden Family Suite", 4, 0, 1, Decimal("185.00")),
    ]
    state.rates = [
        Rate(_uid(), "Flexible stay", "FLEX", _uid(), Decimal("1.00"), "Start", free_days=2),
        Rate(_uid(), "Saver, prepaid", "SAVE", _uid(), Decimal("0.85"), "Creation"),
    ]
    return state


def _parse_utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(dt.UTC)


def _utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _require(body: Body, *names: str) -> None:
    for name in names:
        if body.get(name) in (None, "", []):
            raise MewsFakeError(400, f"Invalid {name}.")


def _amount(gross: Decimal, currency: str) -> Body:
    net = (gross / (1 + VAT)).quantize(Decimal("0.01"))
    tax = gross - net
    return {
        "Currency": currency,
        "NetValue": float(net),
        "GrossValue": float(gross),
        "TaxValues": [{"Code": TAX_CODE, "Value": float(tax)}],
        "Breakdown": {
            "Items": [{"TaxRateCode": TAX_CODE, "NetValue": float(net), "TaxValue": float(tax)}]
        },
    }


def _nights(state: MewsFakeState, body: Body) -> list[dt.date]:
    _require(body, "FirstTimeUnitStartUtc", "LastTimeUnitStartUtc")
    first = state.local_date(body["FirstTimeUnitStartUtc"])
    last = state.local_date(body["LastTimeUnitStartUtc"])
    if last < first or (last - first).days > 100:
        raise MewsFakeError(400, "Invalid time interval.")
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _stay_nights(state: MewsFakeState, reservation: Body) -> list[dt.date]:
    start = state.local_date(reservation["StartUtc"])
    end = state.local_date(reservation["EndUtc"])
    return [start + dt.timedelta(days=i) for i in range((end - start).days)]


def _occupied(state: MewsFakeState, category_id: str, night: dt.date, skip: str = "") -> int:
    return sum(
        1
        for r in state.reservations.values()
        if r["RequestedResourceCategoryId"] == category_id
        and r["State"] not in ("Canceled", "Processed")
        and r["Id"] != skip
        and night in _stay_nights(state, r)
    )


def _category(state: MewsFakeState, category_id: str) -> Category:
    for category in state.categories:
        if category.id == category_id:
            return category
    raise MewsFakeError(400, "Invalid RequestedCategoryId.")


def _rate(state: MewsFakeState, rate_id: str) -> Rate:
    for rate in state.rates:
        if rate.id == rate_id:
            return rate
    raise MewsFakeError(400, "Invalid RateId.")


# ---- configuration -----------------------------------------------------------------------


def configuration_get(state: MewsFakeState, body: Body) -> Body:
    return {
        "NowUtc": _utc_text(state.now()),
        "Enterprise": {
            "Id": state.enterprise_id,
            "Name": "Quinta Azul Test Hotel",
            "TimeZoneIdentifier": state.timezone,
            "Currencies": [{"Currency": state.currency, "IsDefault": True, "IsEnabled": True}],
            "Pricing": "Gross",
        },
    }


def services_get_all(state: MewsFakeState, body: Body) -> Body:
    _require(body, "Limitation")
    bookable = {
        "Discriminator": "Bookable",
        "Value": {
            "StartOffset": "P0M0DT15H0M0S",
            "EndOffset": "P0M0DT11H0M0S",
            "OccupancyStartOffset": "P0M0DT15H0M0S",
            "OccupancyEndOffset": "P0M0DT11H0M0S",
            "TimeUnitPeriod": "Day",
        },
    }
    services = [
        {"Id": _uid(), "Name": "Bar", "IsActive": True, "Data": {"Discriminator": "Additional"}},
        {"Id": state.service_id, "Name": "Rooms", "IsActive": True, "Data": bookable},
    ]
    for service in services:
        service.update(EnterpriseId=state.enterprise_id, Options={"BillAsPackage": False})
    return {"Services": services, "Cursor": None}


def resource_categories_get_all(state: MewsFakeState, body: Body) -> Body:
    _require(body, "ServiceIds", "Limitation")
    categories = [
        {
            "Id": c.id,
            "EnterpriseId": state.enterprise_id,
            "ServiceId": state.service_id,
            "IsActive": True,
            "Type": "Room",
            "Names": {"en-US": c.name},
            "ShortNames": {"en-US": c.name[:8]},
            "Descriptions": {"en-US": f"{c.name} with a view over the bay."},
            "Ordering": i,
            "Capacity": c.capacity,
            "ExtraCapacity": c.extra_capacity,
            "ExternalIdentifier": None,
        }
        for i, c in enumerate(state.categories)
        if state.service_id in body["ServiceIds"]
    ]
    return {"ResourceCategories": categories, "Cursor": None}


def age_categories_get_all(state: MewsFakeState, body: Body) -> Body:
    _require(body, "Limitation")
    rows = [
        (state.adult_id, "Adult", None, None, "Adults"),
        (state.child_id, "Child", 0, 17, "Children"),
    ]
    return {
        "AgeCategories": [
            {
                "Id": i,
                "ServiceId": state.service_id,
                "Classification": cls,
                "MinimalAge": lo,
                "MaximalAge": hi,
                "Names": {"en-US": name},
                "IsActive": True,
            }
            for i, cls, lo, hi, name in rows
        ],
        "Cursor": None,
    }


def rates_get_all(state: MewsFakeState, body: Body) -> Body:
    _require(body, "ServiceIds", "Limitation")
    rates = [
        {
            "Id": r.id,
            "GroupId": r.group_id,
            "ServiceId": state.service_id,
            "BaseRateId": None,
            "IsActive": True,
            "IsEnabled": True,
            "IsPublic": True,
            "Name": r.name,
            "ShortName": r.short_name,
            "ExternalNames": {"en-US": r.name},
            "ExternalIdentifier": r.short_name,
        }
        for r in state.rates
    ]
    return {"Rates": rates, "RateGroups": [], "AvailabilityBlockAssignments": [], "Cursor": None}


def cancellation_policies_get_all(state: MewsFakeState, body: Body) -> Body:
    _require(body, "RateGroupIds", "Limitation")
    policies = []
    for r in state.rates:
        if r.group_id not in body["RateGroupIds"]:
            continue
        offset = f"P0M{r.free_days}DT0H0M0S" if r.applicability == "Start" else "P0M0DT0H0M0S"
        policies.append(
            {
                "Id": _uid(),
                "RateGroupId": r.group_id,
                "Applicability": r.applicability,
                "ApplicabilityOffset": offset,
                "FeeExtent": ["TimeUnits"],
                "FeeMaximumTimeUnits": 1 if r.applicability == "Start" else 0,
                "AbsoluteFee": {"Currency": state.currency, "Value": 0},
                "RelativeFee": 0 if r.applicability == "Start" else 1,
            }
        )
    return {"CancellationPolicies": policies, "Cursor": None}


# ---- availability and pricing --------------------------------------------------------------


def services_get_availability(state: MewsFakeState, body: Body) -> Body:
    _require(body, "ServiceId", "Metrics")
    if body["ServiceId"] != state.service_id:
        raise MewsFakeError(400, "Invalid ServiceId.")
    nights = _nights(state, body)
    rows = []
    for c in state.categories:
        occupied = [_occupied(state, c.id, n) for n in nights]
        metrics = {"Occupied": occupied, "UsableResources": [c.units] * len(nights)}
        metrics["ActiveResources"] = [c.units] * len(nights)
        rows.append(
            {
                "ResourceCategoryId": c.id,
                "Metrics": {k: v for k, v in metrics.items() if k in body["Metrics"]},
            }
        )
    return {
        "TimeUnitStartsUtc": [state.night_start_utc(n) for n in nights],
        "ResourceCategoryAvailabilities": rows,
    }


def rates_get_pricing(state: MewsFakeState, body: Body) -> Body:
    _require(body, "RateId")
    rate = _rate(state, body["RateId"])
    nights = _nights(state, body)
    return {
        "Currency": state.currency,
        "BaseAmountPrices": [
            _amount(state.night_price(rate, state.categories[0], n), state.currency) for n in nights
        ],
        "CategoryAdjustments": [],
        "CategoryPrices": [
            {
                "CategoryId": c.id,
                "AmountPrices": [
                    _amount(state.night_price(rate, c, n), state.currency) for n in nights
                ],
            }
            for c in state.categories
        ],
        "TimeUnitStartsUtc": [state.night_start_utc(n) for n in nights],
    }


# ---- customers -----------------------------------------------------------------------------


def customers_add(state: MewsFakeState, body: Body) -> Body:
    _require(body, "LastName")
    email = body.get("Email")
    if email and any(c.get("Email") == email for c in state.customers.values()):
        if not body.get("OverwriteExisting"):
            raise MewsFakeError(403, "A customer with the same email already exists.")
    customer = {
        "Id": _uid(),
        "Number": str(len(state.customers) + 501),
        "FirstName": body.get("FirstName"),
        "LastName": body["LastName"],
        "Email": email,
        "Phone": body.get("Phone"),
        "LanguageCode": body.get("LanguageCode"),
        "Notes": body.get("Notes") or "",
        "CreatedUtc": _utc_text(state.now()),
        "UpdatedUtc": _utc_text(state.now()),
        "ActivityState": "Active",
        "IsActive": True,
    }
    state.customers[customer["Id"]] = customer
    return customer


def customers_get_all(state: MewsFakeState, body: Body) -> Body:
    _require(body, "Limitation")
    ids, emails = body.get("CustomerIds"), body.get("Emails")
    if not ids and not emails:
        raise MewsFakeError(400, "At least one filter is required.")
    found = [
        c
        for c in state.customers.values()
        if (ids is None or c["Id"] in ids) and (emails is None or c["Email"] in emails)
    ]
    return {"Customers": found, "Documents": None, "Cursor": None}


# ---- reservations --------------------------------------------------------------------------


def _check_free(state: MewsFakeState, category_id: str, nights: list[dt.date], skip: str) -> None:
    category = _category(state, category_id)
    if any(_occupied(state, category_id, n, skip) >= category.units for n in nights):
        raise MewsFakeError(403, "The requested category is not available in the interval.")


def _check_persons(state: MewsFakeState, category_id: str, counts: list[Body]) -> None:
    category = _category(state, category_id)
    persons = sum(int(p["Count"]) for p in counts)
    if persons < 1 or persons > category.capacity + category.extra_capacity:
        raise MewsFakeError(403, "The person count exceeds the category capacity.")


def _new_reservation(state: MewsFakeState, item: Body, group_id: str) -> Body:
    _require(item, "StartUtc", "EndUtc", "CustomerId", "RequestedCategoryId", "RateId")
    _require(item, "PersonCounts")
    if item["CustomerId"] not in state.customers:
        raise MewsFakeError(400, "Invalid CustomerId.")
    _rate(state, item["RateId"])
    _check_persons(state, item["RequestedCategoryId"], item["PersonCounts"])
    probe = {"StartUtc": item["StartUtc"], "EndUtc": item["EndUtc"]}
    nights = _stay_nights(state, probe)
    if not nights:
        raise MewsFakeError(400, "Invalid reservation interval.")
    _check_free(state, item["RequestedCategoryId"], nights, skip="")
    now = _utc_text(state.now())
    state.next_number += 1
    return {
        "Id": _uid(),
        "ServiceId": state.service_id,
        "AccountId": item["CustomerId"],
        "AccountType": "Customer",
        "BookerId": item.get("BookerId") or item["CustomerId"],
        "Number": str(state.next_number),
        "State": item.get("State") or "Confirmed",
        "Origin": "Connector",
        "CreatedUtc": now,
        "UpdatedUtc": now,
        "CancelledUtc": None,
        "RateId": item["RateId"],
        "GroupId": group_id,
        "RequestedResourceCategoryId": item["RequestedCategoryId"],
        "AssignedResourceId": None,
        "StartUtc": item["StartUtc"],
        "EndUtc": item["EndUtc"],
        "ScheduledStartUtc": item["StartUtc"],
        "ScheduledEndUtc": item["EndUtc"],
        "PersonCounts": item["PersonCounts"],
        "Notes": item.get("Notes"),
    }


def reservations_add(state: MewsFakeState, body: Body) -> Body:
    _require(body, "ServiceId", "Reservations")
    if body["ServiceId"] != state.service_id:
        raise MewsFakeError(400, "Invalid ServiceId.")
    group_id = _uid()
    created = [_new_reservation(state, item, group_id) for item in body["Reservations"]]
    state.groups[group_id] = {"Id": group_id, "Name": body.get("GroupName") or "Group"}
    result = []
    for item, reservation in zip(body["Reservations"], created, strict=True):
        state.reservations[reservation["Id"]] = reservation
        added = {k: v for k, v in reservation.items() if k != "RequestedResourceCategoryId"}
        added["RequestedCategoryId"] = reservation["RequestedResourceCategoryId"]
        result.append({"Identifier": item.get("Identifier"), "Reservation": added})
    return {"Reservations": result}


def _public(reservation: Body) -> Body:
    return {k: v for k, v in reservation.items() if k != "Notes"}


def reservations_get_all(state: MewsFakeState, body: Body) -> Body:
    _require(body, "Limitation")
    filters = ("ReservationIds", "AccountIds", "Numbers", "ReservationGroupIds", "CreatedUtc")
    if not any(body.get(f) for f in filters):
        raise MewsFakeError(400, "At least one filter is required.")
    keys = {"ReservationIds": "Id", "AccountIds": "AccountId", "Numbers": "Number"}
    keys["ReservationGroupIds"] = "GroupId"
    found = []
    for r in state.reservations.values():
        if any(body.get(f) and r[k] not in body[f] for f, k in keys.items()):
            continue
        if body.get("States") and r["State"] not in body["States"]:
            continue
        created = body.get("CreatedUtc")
        if created and not created["StartUtc"] <= r["CreatedUtc"] <= created["EndUtc"]:
            continue
        found.append(_public(r))
    return {"Reservations": found, "Cursor": None}


def reservation_groups_get_all(state: MewsFakeState, body: Body) -> Body:
    _require(body, "ReservationGroupIds", "Limitation")
    groups = [state.groups[g] for g in body["ReservationGroupIds"] if g in state.groups]
    return {"ReservationGroups": groups, "Cursor": None}


def reservations_cancel(state: MewsFakeState, body: Body) -> Body:
    _require(body, "ReservationIds")
    for rid in body["ReservationIds"]:
        if rid not in state.reservations:
            raise MewsFakeError(400, "Invalid ReservationIds.")
        if state.reservations[rid]["State"] not in ("Confirmed", "Optional", "Inquired"):
            raise MewsFakeError(403, "The reservation cannot be canceled in its current state.")
    for rid in body["ReservationIds"]:
        reservation = state.reservations[rid]
        reservation.update(State="Canceled", CancelledUtc=_utc_text(state.now()))
        reservation["UpdatedUtc"] = reservation["CancelledUtc"]
    return {"ReservationIds": body["ReservationIds"]}


def reservations_update(state: MewsFakeState, body: Body) -> Body:
    _require(body, "ReservationUpdates")
    updated = []
    for change in body["ReservationUpdates"]:
        reservation = state.reservations.get(change.get("ReservationId", ""))
        if reservation is None:
            raise MewsFakeError(400, "Invalid ReservationId.")
        if reservation["State"] != "Confirmed":
            raise MewsFakeError(403, "The reservation cannot be updated in its current state.")
        new = dict(reservation)
        for name in ("StartUtc", "EndUtc", "PersonCounts"):
            if change.get(name) is not None:
                new[name] = change[name]["Value"]
        new["ScheduledStartUtc"], new["ScheduledEndUtc"] = new["StartUtc"], new["EndUtc"]
        _check_persons(state, new["RequestedResourceCategoryId"], new["PersonCounts"])
        nights = _stay_nights(state, new)
        if body.get("CheckOverbooking", True):
            _check_free(state, new["RequestedResourceCategoryId"], nights, skip=new["Id"])
        new["UpdatedUtc"] = _utc_text(state.now())
        state.reservations[new["Id"]] = new
        updated.append(_public(new))
    return {"Reservations": updated, "Cursor": None}


OPERATIONS: dict[str, Callable[[MewsFakeState, Body], Body]] = {
    "configuration/get": configuration_get,
    "services/getAll": services_get_all,
    "resourceCategories/getAll": resource_categories_get_all,
    "ageCategories/getAll": age_categories_get_all,
    "rates/getAll": rates_get_all,
    "cancellationPolicies/getAll": cancellation_policies_get_all,
    "services/getAvailability/2024-01-22": services_get_availability,
    "rates/getPricing": rates_get_pricing,
    "customers/add": customers_add,
    "customers/getAll": customers_get_all,
    "reservations/add": reservations_add,
    "reservations/getAll/2023-06-06": reservations_get_all,
    "reservationGroups/getAll": reservation_groups_get_all,
    "reservations/cancel": reservations_cancel,
    "reservations/update": reservations_update,
}


def _error(status: int, message: str, retry_after: str | None = None) -> JSONResponse:
    headers = {"Retry-After": retry_after} if retry_after else None
    body = {"Message": message, "RequestId": _uid(), "Details": None}
    return JSONResponse(body, status_code=status, headers=headers)


def _take_failure(state: MewsFakeState, operation: str) -> Failure | None:
    for i, failure in enumerate(state.failures):
        if failure.operation in (None, operation):
            return state.failures.pop(i)
    return None


def create_mews_fake(state: MewsFakeState | None = None) -> FastAPI:
    """The fake Connector API over `state` (a fresh default hotel when omitted)."""
    app = FastAPI()
    app.state.mews = state or default_state()

    @app.post("/api/connector/v1/{operation:path}")
    async def connector(operation: str, request: Request) -> JSONResponse:
        st: MewsFakeState = app.state.mews
        st.calls.append(operation)
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "The request body is not valid JSON.")
        if not isinstance(body, dict) or not body.get("Client"):
            return _error(400, "Invalid Client.")
        if body.get("ClientToken") != st.client_token or body.get("AccessToken") != st.access_token:
            return _error(401, "Invalid ClientToken or AccessToken.")
        failure = _take_failure(st, operation)
        if failure is not None:
            return _error(failure.status, failure.message, failure.retry_after)
        handler = OPERATIONS.get(operation)
        if handler is None:
            return _error(404, "Operation not found.")
        try:
            return JSONResponse(handler(st, body))
        except MewsFakeError as exc:
            return _error(exc.status, exc.message)

    return app
