"""A local stand-in for the Cloudbeds PMS API v1.3 (https://developers.cloudbeds.com/reference).

GET methods take query strings, POST/PUT take `application/x-www-form-urlencoded` bodies with
PHP-style arrays (`rooms[0][roomTypeID]=...`). Answers are `{"success": true, "data": ...}`; a
refusal is HTTP 200 with `{"success": false, "message": ...}`; a bad key is 401 `access_denied`.
`fail_next()` forces 429/5xx. Ids, names and prices are our own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

Body = dict[str, Any]


class Refusal(Exception):
    """A documented `success: false` answer."""


@dataclass
class RoomKind:
    id: str
    name: str
    max_guests: int
    units: int
    base: Decimal


@dataclass
class Plan:
    id: str
    name: str
    factor: Decimal


@dataclass
class CloudbedsFakeState:
    api_key: str = "cbat_fake_key_casa_lobo"
    property_id: str = "418207"
    currency: str = "USD"
    rooms: list[RoomKind] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    reservations: dict[str, Body] = field(default_factory=dict)
    guests: dict[str, Body] = field(default_factory=dict)
    failures: list[tuple[int, str | None]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    now: Callable[[], dt.datetime] = lambda: dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    next_id: int = 990001

    def fail_next(self, status: int, method: str | None = None) -> None:
        self.failures.append((status, method))

    def rate(self, plan: Plan, room: RoomKind, night: dt.date) -> Decimal:
        weekend = Decimal("25") if night.weekday() in (4, 5) else Decimal("0")
        return ((room.base + weekend) * plan.factor).quantize(Decimal("0.01"))


def default_state() -> CloudbedsFakeState:
    return CloudbedsFakeState(
        rooms=[
            RoomKind("55101", "Courtyard Queen", 2, 2, Decimal("140.00")),
            RoomKind("55102", "Rooftop Loft", 4, 1, Decimal("260.00")),
        ],
        plans=[
            Plan("7301", "Best available", Decimal("1.00")),
            Plan("7302", "Stay & save", Decimal("0.90")),
        ],
    )


def _date(value: str | None, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError as exc:
        raise Refusal(f"Invalid parameter {name}") from exc


def _nights(start: dt.date, end: dt.date) -> list[dt.date]:
    if end <= start:
        raise Refusal("endDate must be after startDate")
    return [start + dt.timedelta(days=i) for i in range((end - start).days)]


def _booked(state: CloudbedsFakeState, room_id: str, night: dt.date, skip: str = "") -> int:
    count = 0
    for r in state.reservations.values():
        if r["status"] == "canceled" or r["reservationID"] == skip:
            continue
        for room in r["unassigned"]:
            start, end = (
                dt.date.fromisoformat(room["startDate"]),
                dt.date.fromisoformat(room["endDate"]),
            )
            if room["roomTypeID"] == room_id and start <= night < end:
                count += 1
    return count


def _free(state: CloudbedsFakeState, room: RoomKind, nights: list[dt.date], skip: str = "") -> int:
    return min(room.units - _booked(state, room.id, n, skip) for n in nights)


def _room(state: CloudbedsFakeState, room_id: str) -> RoomKind:
    for room in state.rooms:
        if room.id == room_id:
            return room
    raise Refusal("Invalid roomTypeID")


def _plan(state: CloudbedsFakeState, rate_id: str | None) -> Plan:
    for plan in state.plans:
        if rate_id and (plan.id == rate_id or rate_id.startswith(plan.id + "-")):
            return plan
    return state.plans[0]


def _form_rows(form: Body, name: str) -> list[Body]:
    rows: dict[int, Body] = {}
    for key, value in form.items():
        match = re.fullmatch(rf"{name}\[(\d+)\]\[(\w+)\]", key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [rows[i] for i in sorted(rows)]


# ---- reads ---------------------------------------------------------------------------------


def get_room_types(state: CloudbedsFakeState, q: Body) -> Body:
    data = [
        {
            "roomTypeID": r.id,
            "propertyID": state.property_id,
            "roomTypeName": r.name,
            "roomTypeNameShort": r.name[:6].upper(),
            "roomTypeDescription": f"{r.name}, quiet side of the house.",
            "isPrivate": True,
            "maxGuests": r.max_guests,
            "adultsIncluded": 2,
            "childrenIncluded": 0,
        }
        for r in state.rooms
    ]
    return {"success": True, "data": data, "count": len(data), "total": len(data)}


def get_rate_plans(state: CloudbedsFakeState, q: Body) -> Body:
    start, end = _date(q.get("startDate"), "startDate"), _date(q.get("endDate"), "endDate")
    nights = _nights(start, end)
    guests = int(q.get("adults") or 1) + int(q.get("children") or 0)
    data = []
    for plan in state.plans:
        for room in state.rooms:
            if guests > room.max_guests:
                continue
            detail = [
                {
                    "date": n.isoformat(),
                    "rateBase": float(state.rate(plan, room, n)),
                    "totalRate": float(state.rate(plan, room, n)),
                    "roomsAvailable": room.units - _booked(state, room.id, n),
                    "closedToArrival": False,
                    "closedToDeparture": False,
                    "blocked": False,
                    "minLos": 1,
                    "maxLos": 0,
                }
                for n in nights
            ]
            total = sum(state.rate(plan, room, n) for n in nights)
            data.append(
                {
                    "rateID": f"{plan.id}-{room.id}",
                    "ratePlanID": plan.id,
                    "ratePlanNamePublic": plan.name,
                    "ratePlanNamePrivate": plan.name.upper(),
                    "isDerived": plan.factor != 1,
                    "roomTypeID": room.id,
                    "roomTypeName": room.name,
                    "roomRate": float(total),
                    "totalRate": float(total),
                    "roomsAvailable": _free(state, room, nights),
                    "propertyID": state.property_id,
                    "roomRateDetailed": detail if q.get("detailedRates") == "true" else None,
                }
            )
    return {"success": True, "data": data}


def get_reservation(state: CloudbedsFakeState, q: Body) -> Body:
    reservation = state.reservations.get(q.get("reservationID") or "")
    if reservation is None:
        raise Refusal("Reservation not found")
    return {"success": True, "data": {k: v for k, v in reservation.items() if k != "guestID"}}


def get_reservations(state: CloudbedsFakeState, q: Body) -> Body:
    since = q.get("resultsFrom")
    data = [
        {
            "propertyID": state.property_id,
            "reservationID": r["reservationID"],
            "dateCreated": r["dateCreated"],
            "dateModified": r["dateModified"],
            "status": r["status"],
            "guestID": r["guestID"],
            "guestName": r["guestName"],
            "startDate": r["startDate"],
            "endDate": r["endDate"],
            "thirdPartyIdentifier": r["thirdPartyIdentifier"],
        }
        for r in state.reservations.values()
        if (not since or r["dateCreated"] >= since)
        and (not q.get("guestID") or r["guestID"] == q["guestID"])
    ]
    return {"success": True, "data": data, "count": len(data), "total": len(data)}


def get_guest(state: CloudbedsFakeState, q: Body) -> Body:
    guest_id = q.get("guestID")
    if not guest_id and q.get("reservationID") in state.reservations:
        guest_id = state.reservations[q["reservationID"]]["guestID"]
    guest = state.guests.get(guest_id or "")
    if guest is None:
        raise Refusal("Guest not found")
    return {"success": True, "data": {k: v for k, v in guest.items() if k != "guestID"}}


def get_guest_list(state: CloudbedsFakeState, q: Body) -> Body:
    found = {
        g["guestID"]: {"guestID": g["guestID"], "guestName": f"{g['firstName']} {g['lastName']}"}
        for g in state.guests.values()
        if (not q.get("guestEmail") or g["email"] == q["guestEmail"])
        and (not q.get("guestPhone") or g["phone"] == q["guestPhone"])
    }
    return {"success": True, "data": found, "count": len(found), "total": len(found)}


# ---- writes --------------------------------------------------------------------------------


def _guest_id(state: CloudbedsFakeState, form: Body) -> str:
    for guest in state.guests.values():
        if guest["email"] == form["guestEmail"]:
            return str(guest["guestID"])
    guest_id = str(len(state.guests) + 30001)
    state.guests[guest_id] = {
        "guestID": guest_id,
        "firstName": form["guestFirstName"],
        "lastName": form["guestLastName"],
        "email": form["guestEmail"],
        "phone": form.get("guestPhone") or "",
        "cellPhone": "",
        "country": form.get("guestCountry") or "",
    }
    return guest_id


def _room_rows(
    state: CloudbedsFakeState,
    room_id: str,
    rate_id: str | None,
    stay: tuple[dt.date, dt.date],
    adults: int,
    children: int,
    quantity: int,
) -> list[Body]:
    room, plan = _room(state, room_id), _plan(state, rate_id)
    nights = _nights(*stay)
    daily = [{"date": n.isoformat(), "rate": float(state.rate(plan, room, n))} for n in nights]
    total = sum(state.rate(plan, room, n) for n in nights)
    return [
        {
            "reservationRoomID": f"{room_id}-{i}",
            "subReservationID": f"{state.next_id}-{i + 1}",
            "roomTypeName": room.name,
            "roomTypeID": room.id,
            "rateID": plan.id,
            "startDate": stay[0].isoformat(),
            "endDate": stay[1].isoformat(),
            "adults": str(adults),
            "children": str(children),
            "dailyRates": daily,
            "roomTotal": str(total),
        }
        for i in range(quantity)
    ]


def post_reservation(state: CloudbedsFakeState, form: Body) -> Body:
    for name in ("startDate", "endDate", "guestFirstName", "guestLastName", "guestEmail"):
        if not form.get(name):
            raise Refusal(f"Parameter {name} is required")
    if not form.get("paymentMethod"):
        raise Refusal("Parameter paymentMethod is required")
    stay = (_date(form["startDate"], "startDate"), _date(form["endDate"], "endDate"))
    rooms, adults = _form_rows(form, "rooms"), _form_rows(form, "adults")
    children = _form_rows(form, "children")
    if not rooms or len(adults) != len(rooms):
        raise Refusal("Parameters rooms and adults are required")
    rows: list[Body] = []
    for i, room in enumerate(rooms):
        quantity = int(room.get("quantity") or 1)
        kind = _room(state, room["roomTypeID"])
        if _free(state, kind, _nights(*stay)) < quantity:
            raise Refusal("Room type is not available for the selected dates")
        kids = int(children[i]["quantity"]) if i < len(children) else 0
        rows += _room_rows(
            state, kind.id, room.get("roomRateID"), stay, int(adults[i]["quantity"]), kids, quantity
        )
    guest_id = _guest_id(state, form)
    now = state.now().strftime("%Y-%m-%d %H:%M:%S")
    state.next_id += 1
    reservation = {
        "propertyID": state.property_id,
        "reservationID": str(state.next_id),
        "guestID": guest_id,
        "guestName": f"{form['guestFirstName']} {form['guestLastName']}",
        "guestEmail": form["guestEmail"],
        "status": "confirmed",
        "dateCreated": now,
        "dateModified": now,
        "thirdPartyIdentifier": form.get("thirdPartyIdentifier") or "",
        "startDate": stay[0].isoformat(),
        "endDate": stay[1].isoformat(),
        "total": float(sum(Decimal(r["roomTotal"]) for r in rows)),
        "balance": float(sum(Decimal(r["roomTotal"]) for r in rows)),
        "assigned": [],
        "unassigned": rows,
    }
    state.reservations[reservation["reservationID"]] = reservation
    keys = ("reservationID", "status", "guestID", "startDate", "endDate", "dateCreated")
    answer = {k: reservation[k] for k in keys}
    answer.update(success=True, grandTotal=reservation["total"], unassigned=rows)
    answer.update(guestFirstName=form["guestFirstName"], guestLastName=form["guestLastName"])
    return answer


def put_reservation(state: CloudbedsFakeState, form: Body) -> Body:
    reservation = state.reservations.get(form.get("reservationID") or "")
    if reservation is None:
        raise Refusal("Reservation not found")
    if reservation["status"] in ("checked_out", "canceled", "no_show"):
        raise Refusal("Reservation can not be modified in its current status")
    rooms = _form_rows(form, "rooms")
    if rooms:
        new_rows: list[Body] = []
        for room in rooms:
            stay = (
                _date(room.get("checkinDate"), "checkinDate"),
                _date(room.get("checkoutDate"), "checkoutDate"),
            )
            kind = _room(state, room["roomTypeID"])
            if _free(state, kind, _nights(*stay), skip=reservation["reservationID"]) < 1:
                raise Refusal("Room type is not available for the selected dates")
            new_rows += _room_rows(
                state,
                kind.id,
                room.get("rateID"),
                stay,
                int(room["adults"]),
                int(room["children"]),
                1,
            )
        reservation["unassigned"] = new_rows
        reservation["startDate"] = min(r["startDate"] for r in new_rows)
        reservation["endDate"] = max(r["endDate"] for r in new_rows)
        reservation["total"] = float(sum(Decimal(r["roomTotal"]) for r in new_rows))
    if form.get("status"):
        reservation["status"] = form["status"]
    reservation["dateModified"] = state.now().strftime("%Y-%m-%d %H:%M:%S")
    return {"success": True, "data": {k: v for k, v in reservation.items() if k != "guestID"}}


READS: dict[str, Callable[[CloudbedsFakeState, Body], Body]] = {
    "getRoomTypes": get_room_types,
    "getRatePlans": get_rate_plans,
    "getReservation": get_reservation,
    "getReservations": get_reservations,
    "getGuest": get_guest,
    "getGuestList": get_guest_list,
}
WRITES: dict[tuple[str, str], Callable[[CloudbedsFakeState, Body], Body]] = {
    ("POST", "postReservation"): post_reservation,
    ("PUT", "putReservation"): put_reservation,
}


def create_cloudbeds_fake(state: CloudbedsFakeState | None = None) -> FastAPI:
    """The fake PMS API over `state` (a fresh default property when omitted)."""
    app = FastAPI()
    app.state.cloudbeds = state or default_state()

    @app.api_route("/api/v1.3/{method}", methods=["GET", "POST", "PUT"])
    async def api(method: str, request: Request) -> JSONResponse:
        st: CloudbedsFakeState = app.state.cloudbeds
        st.calls.append(method)
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if st.api_key not in (request.headers.get("x-api-key"), bearer):
            message = "The resource owner or authorization server denied the request."
            return JSONResponse({"error": "access_denied", "message": message}, status_code=401)
        for i, (status, only) in enumerate(st.failures):
            if only in (None, method):
                st.failures.pop(i)
                return JSONResponse({"success": False, "message": "Try again later"}, status)
        params: Body = dict(request.query_params)
        if request.method != "GET":
            params.update(dict(await request.form()))
        if params.get("propertyID", st.property_id) != st.property_id:
            message = "None of the included property id's match the access_token user's property id"
            return JSONResponse({"success": False, "message": message})
        handler = (
            READS.get(method) if request.method == "GET" else WRITES.get((request.method, method))
        )
        if handler is None:
            return JSONResponse({"success": False, "message": "Method not found"}, status_code=404)
        try:
            return JSONResponse(handler(st, params))
        except Refusal as exc:
            return JSONResponse({"success": False, "message": str(exc)})

    return app
