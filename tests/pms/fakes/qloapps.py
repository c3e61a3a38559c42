"""A local stand-in for the QloApps webservice (https://devdocs.qloapps.com/webservice/).

Resources live under `/api/<resource>`; the key is the HTTP basic user (or `ws_key`), answers
are JSON only with `output_format=JSON` (XML otherwise). `hotel_ari` reads an XML search and
answers date-wise; `bookings` reads JSON and refuses with HTTP 400
`{"errors": [{"code", "message"}]}`; an unknown booking is a bare 404; an empty listing is `[]`.
Rooms are physical units per room type, a guest keeps one room for the whole stay, and a
cancelled order frees its rooms. `fail_next()` forces 429/5xx. Ids, names and prices are ours.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

Body = dict[str, Any]
AWAITING_PAYMENT, CANCELED = "1", "4"


class Refusal(Exception):
    """A documented 400 answer of the Bookings API."""


@dataclass
class RoomKind:
    id: int
    name: str
    max_adults: int
    max_children: int
    rooms: dict[int, str]  # id_room -> room number
    base: Decimal  # per night, before tax


@dataclass
class QloAppsFakeState:
    api_key: str = "QH7K2M9P4X8R1T6W3Y5Z0A2B4C6D8E1F"
    hotel_id: int = 3
    currency: str = "EUR"
    tax_rate: Decimal = Decimal("0.10")
    kinds: list[RoomKind] = field(default_factory=list)
    customers: dict[int, Body] = field(default_factory=dict)
    orders: dict[int, Body] = field(default_factory=dict)
    failures: list[tuple[int, str | None]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    now: Callable[[], dt.datetime] = lambda: dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)
    next_order: int = 7001

    def fail_next(self, status: int, resource: str | None = None) -> None:
        self.failures.append((status, resource))

    def rate(self, kind: RoomKind, night: dt.date) -> Decimal:
        weekend = Decimal("20") if night.weekday() in (4, 5) else Decimal("0")
        return kind.base + weekend

    def stamp(self) -> str:
        # QloApps stores shop-local times; the fake shop runs on UTC.
        return self.now().strftime("%Y-%m-%d %H:%M:%S")


def default_state() -> QloAppsFakeState:
    return QloAppsFakeState(
        kinds=[
            RoomKind(11, "Garden Double", 2, 1, {101: "G-1", 102: "G-2"}, Decimal("90.00")),
            RoomKind(12, "Tower Suite", 3, 2, {201: "T-1"}, Decimal("200.00")),
        ]
    )


def _nights(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days)]


def _day(value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise Refusal("Invalid check in date in the request") from exc


def _taken(state: QloAppsFakeState, night: dt.date) -> set[int]:
    """Physical rooms occupied on `night` by orders that are not cancelled."""
    taken: set[int] = set()
    for order in state.orders.values():
        if order["current_state"] == CANCELED:
            continue
        for line in order["lines"]:
            if _day(line["date_from"]) <= night < _day(line["date_to"]):
                taken |= {room["id_room"] for room in line["rooms"]}
    return taken


def _free(state: QloAppsFakeState, kind: RoomKind, nights: list[dt.date]) -> list[int]:
    taken = set().union(*(_taken(state, n) for n in nights)) if nights else set()
    return [room for room in kind.rooms if room not in taken]


def _kind(state: QloAppsFakeState, id_room_type: Any) -> RoomKind:
    for kind in state.kinds:
        if str(kind.id) == str(id_room_type):
            return kind
    raise Refusal("Invalid room type in the request")


def _name(text: str) -> list[Body]:
    return [{"id": "1", "value": text}, {"id": "2", "value": f"{text} (fr)"}]


# ---- hotel_ari ---------------------------------------------------------------------------


def hotel_ari(state: QloAppsFakeState, xml: bytes) -> Body:
    search = ElementTree.fromstring(xml).find("hotel_ari")
    if search is None or search.findtext("id_hotel") != str(state.hotel_id):
        raise Refusal("Invalid hotel id")
    start, end = _day(search.findtext("date_from")), _day(search.findtext("date_to"))
    only = search.findtext("id_room_type")
    parties = [
        (int(o.findtext("adults") or 1), int(o.findtext("children") or 0))
        for o in search.iter("room_occupancy")
    ]
    kinds = [
        k
        for k in state.kinds
        if (not only or str(k.id) == only)
        and all(a <= k.max_adults and c <= k.max_children for a, c in parties)
    ]
    days = []
    for night in _nights(start, end):
        taken = _taken(state, night)
        rows = []
        for kind in kinds:
            price = state.rate(kind, night)
            rooms = {"available": [_room(r, n) for r, n in kind.rooms.items() if r not in taken]}
            if search.findtext("get_booked_rooms") == "1":
                rooms["booked"] = [_room(r, n) for r, n in kind.rooms.items() if r in taken]
            rows.append(
                {
                    "id_room_type": str(kind.id),
                    "base_price": float(price),
                    "base_price_with_tax": float(price * (1 + state.tax_rate)),
                    "total_price": float(price),
                    "total_price_with_tax": float(price * (1 + state.tax_rate)),
                    "name": _name(kind.name),
                    "rooms": rooms,
                }
            )
        days.append(
            {
                "id_hotel": str(state.hotel_id),
                "date_from": night.isoformat(),
                "date_to": (night + dt.timedelta(days=1)).isoformat(),
                "currency": state.currency,
                "total_rooms": sum(len(k.rooms) for k in kinds),
                "total_available_rooms": sum(len(r["rooms"]["available"]) for r in rows),
                "room_types": rows,
            }
        )
    return {"hotel_aris": days}


def _room(id_room: int, number: str) -> Body:
    return {"id_room": str(id_room), "room_number": number}


# ---- plain resources ---------------------------------------------------------------------


def _filter(q: Body, name: str) -> set[str] | None:
    raw = q.get(f"filter[{name}]")
    return None if raw is None else set(raw.strip("[]").split("|"))


def room_types(state: QloAppsFakeState, q: Body) -> Body | list[Any]:
    wanted = _filter(q, "id")
    rows = [
        {
            "id": k.id,
            "id_hotel": state.hotel_id,
            "name": _name(k.name),
            "description": _name(f"<p>{k.name}, facing the garden.</p>"),
            "adults": 2,
            "children": 0,
            "max_adults": k.max_adults,
            "max_children": k.max_children,
            "max_guests": k.max_adults + k.max_children,
        }
        for k in state.kinds
        if wanted is None or str(k.id) in wanted
    ]
    return {"room_types": rows} if rows else []


def customers(state: QloAppsFakeState, q: Body) -> Body | list[Any]:
    emails = _filter(q, "email")
    rows = [{"id": c["id"]} for c in state.customers.values() if not emails or c["email"] in emails]
    return {"customers": rows} if rows else []


def orders(state: QloAppsFakeState, q: Body) -> Body | list[Any]:
    owners = _filter(q, "id_customer")
    rows = [
        {"id": o["id"]}
        for o in state.orders.values()
        if not owners or str(o["id_customer"]) in owners
    ]
    rows.sort(key=lambda r: r["id"], reverse=q.get("sort") == "[id_DESC]")
    if q.get("limit"):
        rows = rows[: int(q["limit"])]
    return {"orders": rows} if rows else []


def order(state: QloAppsFakeState, order_id: int) -> Body:
    found = state.orders[order_id]
    keys = ("id", "id_customer", "current_state", "date_add", "date_upd", "reference")
    return {"order": {k: found[k] for k in keys} | {"id_currency": "1", "module": "hotelbot"}}


# ---- bookings ----------------------------------------------------------------------------


def booking(state: QloAppsFakeState, order_id: int) -> Body:
    found = state.orders[order_id]
    customer = state.customers[found["id_customer"]]
    lines, without_tax, tax = [], Decimal(0), Decimal(0)
    for line in found["lines"]:
        rooms = [
            {
                "id_room": room["id_room"],
                "id_hotel_booking": room["id_room"] * 10 + order_id,
                "adults": room["adults"],
                "child": room["child"],
                "unit_price_without_tax": float(room["price"]),
                "total_tax": float(room["tax"]),
            }
            for room in line["rooms"]
        ]
        without_tax += sum((r["price"] for r in line["rooms"]), Decimal(0))
        tax += sum((r["tax"] for r in line["rooms"]), Decimal(0))
        lines.append(
            {
                "id_room_type": line["id_room_type"],
                "checkin_date": f"{line['date_from']} 00:00:00",
                "checkout_date": f"{line['date_to']} 00:00:00",
                "total_tax": float(sum((r["tax"] for r in line["rooms"]), Decimal(0))),
                "number_of_rooms": len(rooms),
                "name": _kind(state, line["id_room_type"]).name,
                "rooms": rooms,
            }
        )
    detail = {k: customer[k] for k in ("firstname", "lastname", "email", "phone")}
    return {
        "booking": {
            "id": order_id,
            # An order may be marked as another hotel's of the same install.
            "id_property": found.get("id_hotel", state.hotel_id),
            "currency": state.currency,
            "source": found["source"],
            "booking_date": found["date_add"],
            "id_language": 1,
            "associations": {
                "customer_detail": {"id_customer": customer["id"]} | detail,
                "price_details": {
                    "total_paid": 0,
                    "total_price_without_tax": float(without_tax),
                    "total_tax": float(tax),
                },
                "cart_rules": [],
                "remarks": list(found["remarks"]),
                "room_types": lines,
            },
        }
    }


def _lines(state: QloAppsFakeState, requested: list[Body]) -> list[Body]:
    """Room lines for `requested` entries, each room given a free physical room, or Refusal."""
    lines = []
    for entry in requested:
        kind = _kind(state, entry.get("id_room_type"))
        start, end = _day(entry.get("checkin_date")), _day(entry.get("checkout_date"))
        if end <= start:
            raise Refusal("Invalid check in and check out dates in the request")
        parties = entry.get("rooms") or [{}] * int(entry.get("number_of_rooms") or 0)
        if len(parties) != int(entry.get("number_of_rooms") or 0):
            raise Refusal("Room count does not matches with the number of rooms")
        free = _free(state, kind, _nights(start, end))
        if len(free) < len(parties):
            raise Refusal("Requested room(s) not available.")
        price = sum((state.rate(kind, n) for n in _nights(start, end)), Decimal(0))
        rooms = [
            {
                "id_room": room,
                "adults": int(party.get("adults") or 2),
                "child": int(party.get("child") or 0),
                "price": price,
                "tax": (price * state.tax_rate).quantize(Decimal("0.01")),
            }
            for room, party in zip(free, parties, strict=False)
        ]
        lines.append(
            {
                "id_room_type": kind.id,
                "date_from": start.isoformat(),
                "date_to": end.isoformat(),
                "rooms": rooms,
            }
        )
    return lines


def _customer(state: QloAppsFakeState, detail: Body) -> int:
    for customer in state.customers.values():
        if customer["email"] == detail["email"]:
            return int(customer["id"])
    customer_id = len(state.customers) + 501
    keys = ("firstname", "lastname", "email", "phone")
    state.customers[customer_id] = {"id": customer_id} | {k: detail.get(k) or "" for k in keys}
    return customer_id


def post_booking(state: QloAppsFakeState, payload: Body) -> Body:
    data = payload.get("booking") or {}
    detail = (data.get("associations") or {}).get("customer_detail") or {}
    if data.get("currency") != state.currency:
        raise Refusal("Please provide valid currency.")
    if not detail:
        raise Refusal("Customer details not found.")
    if str(data.get("id_property")) != str(state.hotel_id):
        raise Refusal("Please provide a valid id_property.")
    for name in ("firstname", "lastname", "email"):
        if not str(detail.get(name) or "").strip():
            raise Refusal(f"Please provide a valid {name.replace('name', ' name')}.")
    if int(data.get("booking_status") or 1) not in (1, 2, 3, 4):
        raise Refusal("Invalid booking status.")
    requested = (data.get("associations") or {}).get("room_types") or []
    if not requested:
        raise Refusal("Requested room(s) not available.")
    lines = _lines(state, requested)
    order_id = state.next_order
    state.next_order += 1
    state.orders[order_id] = {
        "id": order_id,
        "id_customer": _customer(state, detail),
        "current_state": AWAITING_PAYMENT,
        "date_add": state.stamp(),
        "date_upd": state.stamp(),
        "reference": f"QLO{order_id}",
        "source": data.get("source") or "webservice",
        "remarks": [data["remark"]] if data.get("remark") else [],
        "lines": lines,
    }
    return booking(state, order_id)


def put_booking(state: QloAppsFakeState, order_id: int, payload: Body) -> Body:
    data = payload.get("booking") or {}
    assoc = data.get("associations") or {}
    found = state.orders.get(order_id)
    if str(data.get("id")) != str(order_id) or found is None:
        raise Refusal("Booking not found.")
    requested = assoc.get("room_types") or []
    if not requested:
        raise Refusal("Rooms not found in the request.")
    email = (assoc.get("customer_detail") or {}).get("email")
    if not any(c["email"] == email for c in state.customers.values()):
        raise Refusal("Customer not found.")
    if str(data.get("id_property")) != str(state.hotel_id):
        raise Refusal("Please provide a valid id_property.")
    # Lines with a booked type and dates are kept; the others are checked against the
    # inventory *before* the booking's old rooms are released, as QloApps does.
    booked = {(str(x["id_room_type"]), x["date_from"], x["date_to"]): x for x in found["lines"]}
    kept, new = [], []
    for entry in requested:
        key = (str(entry.get("id_room_type")), str(entry.get("checkin_date"))[:10])
        match = booked.get((*key, str(entry.get("checkout_date"))[:10]))
        (kept if match else new).append(match or entry)
    added = _lines(state, new)
    found["lines"] = kept + added
    if int(data.get("booking_status") or 0) == 3:
        found["current_state"] = CANCELED
    found["date_upd"] = state.stamp()
    return booking(state, order_id)


# ---- app ---------------------------------------------------------------------------------


def _errors(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"code": code, "message": message}]}, status_code=status)


def _key(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.startswith("Basic "):
        return base64.b64decode(header[6:]).decode().partition(":")[0]
    return request.query_params.get("ws_key", "")


def create_qloapps_fake(state: QloAppsFakeState | None = None) -> FastAPI:
    """The fake webservice over `state` (a fresh default hotel when omitted)."""
    app = FastAPI()
    app.state.qloapps = state or default_state()

    @app.api_route("/api/{resource}", methods=["GET", "POST"])
    @app.api_route("/api/{resource}/{item}", methods=["GET", "PUT"])
    async def api(resource: str, request: Request, item: str | None = None) -> Response:
        st: QloAppsFakeState = app.state.qloapps
        st.calls.append(f"{request.method} {resource}")
        if _key(request) != st.api_key:
            response = _errors(401, 17, "Authentication key is empty or not valid")
            response.headers["WWW-Authenticate"] = 'Basic realm="Webservice"'
            return response
        for i, (status, only) in enumerate(st.failures):
            if only in (None, resource):
                st.failures.pop(i)
                return _errors(status, 0, "Internal error, try again later")
        if request.query_params.get("output_format") != "JSON":
            return Response('<?xml version="1.0"?><qloapps/>', media_type="text/xml")
        try:
            return await _route(st, request, resource, item)
        except Refusal as exc:
            return _errors(400, 404, str(exc))

    return app


async def _route(
    st: QloAppsFakeState, request: Request, resource: str, item: str | None
) -> Response:
    q: Body = dict(request.query_params)
    method = request.method
    if resource == "hotel_ari" and method == "POST" and item is None:
        return JSONResponse(hotel_ari(st, await request.body()))
    listings = {"room_types": room_types, "customers": customers, "orders": orders}
    if resource in listings and method == "GET" and item is None:
        return JSONResponse(listings[resource](st, q))
    if resource == "bookings" and method == "POST" and item is None:
        return JSONResponse(post_booking(st, json.loads(await request.body())), status_code=201)
    known = item is not None and re.fullmatch(r"\d+", item) and int(item) in st.orders
    if resource == "bookings" and method == "GET" and item is not None:
        return JSONResponse(booking(st, int(item))) if known else Response(status_code=404)
    if resource == "bookings" and method == "PUT" and item is not None:
        order_id = int(item) if item.isdigit() else -1
        return JSONResponse(put_booking(st, order_id, json.loads(await request.body())))
    if resource == "orders" and method == "GET" and item is not None:
        if not known:
            return _errors(404, 87, "Id not found")
        return JSONResponse(order(st, int(item or 0)))
    return _errors(400, 22, "Method not valid for this resource")
