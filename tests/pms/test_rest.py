"""REST face over the real PMS app (ASGI) and database: the guest journey, errors and auth."""

from __future__ import annotations

import datetime as dt

import httpx

from hotelbot.pms.adapters.builtin.demo import DEMO_PROPERTY_ID, DEMO_PROPERTY_SLUG
from tests.pms.conftest import SCOPED_TOKEN, TODAY

BASE = f"/pms/v1/properties/{DEMO_PROPERTY_SLUG}"
CHECK_IN = (TODAY + dt.timedelta(days=30)).isoformat()
CHECK_OUT = (TODAY + dt.timedelta(days=33)).isoformat()
BOOKING = {
    "check_in": CHECK_IN,
    "check_out": CHECK_OUT,
    "occupancy": {"adults": 2, "children_ages": [6]},
    "room_type_code": "STD-DBL",
    "rate_plan_code": "FLEX-BB",
    "guest": {"first_name": "Tomas", "last_name": "Lind", "email": "t.lind@example.org"},
}


async def test_availability_lists_offers_with_money_as_strings(
    pms_http: httpx.AsyncClient,
) -> None:
    response = await pms_http.get(
        f"{BASE}/availability",
        params={"check_in": CHECK_IN, "check_out": CHECK_OUT, "adults": 2, "children": [6]},
    )
    assert response.status_code == 200
    offer = response.json()["offers"][0]
    assert isinstance(offer["total"], str) and "." in offer["total"]
    assert len(offer["nights"]) == 3


async def test_quote_book_get_modify_cancel(pms_http: httpx.AsyncClient) -> None:
    body = {k: v for k, v in BOOKING.items() if k != "guest"}
    quote = (await pms_http.post(f"{BASE}/quotes", json=body)).json()
    assert {"total", "expires_at", "free_cancellation_until"} <= set(quote)
    created = await pms_http.post(
        f"{BASE}/reservations",
        json=BOOKING | {"expected_total": quote["total"]},
        headers={"Idempotency-Key": "rest-journey-1"},
    )
    assert created.status_code == 201
    reference = created.json()["reference"]
    got = await pms_http.get(f"{BASE}/reservations/{reference}")
    assert got.json() == created.json()
    mine = await pms_http.get(f"{BASE}/reservations", params={"email": "t.lind@example.org"})
    assert [r["reference"] for r in mine.json()] == [reference]
    moved = await pms_http.patch(
        f"{BASE}/reservations/{reference}",
        json={"check_out": (TODAY + dt.timedelta(days=34)).isoformat()},
    )
    assert moved.status_code == 200 and len(moved.json()["nights"]) == 4
    cancelled = await pms_http.post(f"{BASE}/reservations/{reference}/cancel")
    assert cancelled.json()["fee"] == "0.00"
    assert (await pms_http.get(f"{BASE}/reservations/{reference}")).json()["status"] == "cancelled"


async def test_unknown_reservation_is_a_typed_404(pms_http: httpx.AsyncClient) -> None:
    response = await pms_http.get(f"{BASE}/reservations/NOPE-123")
    assert response.status_code == 404
    assert response.json()["error"] == "reservation_not_found"


async def test_reversed_dates_are_a_422_not_a_500(pms_http: httpx.AsyncClient) -> None:
    response = await pms_http.get(
        f"{BASE}/availability", params={"check_in": CHECK_OUT, "check_out": CHECK_IN}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"


async def test_booking_without_idempotency_key_is_rejected(pms_http: httpx.AsyncClient) -> None:
    response = await pms_http.post(f"{BASE}/reservations", json=BOOKING)
    assert response.status_code == 422


async def test_no_token_is_401(pms_http: httpx.AsyncClient) -> None:
    response = await pms_http.get(f"{BASE}/room-types", headers={"Authorization": ""})
    assert response.status_code == 401
    graphql = await pms_http.post(
        "/pms/graphql", json={"query": "{ __typename }"}, headers={"Authorization": ""}
    )
    assert graphql.status_code == 401


async def test_wrong_token_is_401(pms_http: httpx.AsyncClient) -> None:
    response = await pms_http.get(
        f"{BASE}/room-types", headers={"Authorization": "Bearer not-a-token"}
    )
    assert response.status_code == 401


async def test_token_scoped_to_another_property_is_403(pms_http: httpx.AsyncClient) -> None:
    headers = {"Authorization": f"Bearer {SCOPED_TOKEN}"}
    for key in (DEMO_PROPERTY_SLUG, str(DEMO_PROPERTY_ID)):
        response = await pms_http.get(f"/pms/v1/properties/{key}/room-types", headers=headers)
        assert response.status_code == 403
    listed = await pms_http.get("/pms/v1/properties", headers=headers)
    assert listed.json() == []


async def test_service_catalogue_and_request(pms_http: httpx.AsyncClient) -> None:
    catalogue = (await pms_http.get(f"{BASE}/services")).json()
    categories = {s["category"] for s in catalogue["services"]}
    assert {"late_checkout", "airport_transfer", "breakfast", "spa"} <= categories
    assert catalogue["room_service_menu"]
    created = await pms_http.post(
        f"{BASE}/service-requests",
        json={"kind": "service", "service_code": "LATE-CO", "room_number": "204"},
        headers={"Idempotency-Key": "svc-request-1"},
    )
    assert created.status_code == 201
    assert created.json()["total"] == "30.00"
    got = await pms_http.get(f"{BASE}/service-requests/{created.json()['id']}")
    assert got.json()["status"] == "open"


async def test_openapi_document_is_served(pms_http: httpx.AsyncClient) -> None:
    spec = (await pms_http.get("/pms/openapi.json")).json()
    assert "/pms/v1/properties/{property_key}/availability" in spec["paths"]
