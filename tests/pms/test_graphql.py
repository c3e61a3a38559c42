"""GraphQL face: the same operations as REST return the same data for the same request."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import httpx

from hotelbot.pms.adapters.builtin.demo import DEMO_PROPERTY_SLUG
from tests.conftest import log_lines
from tests.pms.conftest import TODAY

BASE = f"/pms/v1/properties/{DEMO_PROPERTY_SLUG}"
CHECK_IN = TODAY + dt.timedelta(days=40)
CHECK_OUT = TODAY + dt.timedelta(days=47)

MONEY_LINES = "date amount"
TAXES = "code name kind included amount"
OCCUPANCY = "adults children_ages rooms"
POLICY = "refundable deadline_days_before fee_nights fee_percent description"
AVAILABILITY = f"""property_id check_in check_out currency occupancy {{ {OCCUPANCY} }}
  offers {{ room_type_code room_type_name room_type_names {{ language text }} rate_plan_code
  rate_plan_name rate_plan_names {{ language text }} available_rooms
    breakfast_included refundable nights {{ {MONEY_LINES} }} subtotal taxes {{ {TAXES} }}
    total currency }}"""
QUOTE = f"""id property_id check_in check_out occupancy {{ {OCCUPANCY} }} room_type_code
  rate_plan_code nights {{ {MONEY_LINES} }} subtotal taxes {{ {TAXES} }} total currency
  cancellation_policy {{ {POLICY} }} free_cancellation_until expires_at"""
RESERVATION = f"""reference property_id status check_in check_out occupancy {{ {OCCUPANCY} }}
  room_type_code rate_plan_code guest {{ id first_name last_name email phone language }}
  nights {{ {MONEY_LINES} }} subtotal taxes {{ {TAXES} }} total currency
  cancellation_policy {{ {POLICY} }} free_cancellation_until created_at updated_at
  cancelled_at cancellation_fee"""
CANCELLATION = "reference status cancelled_at fee refund currency"
NAMES = "names { language text }"
CATALOGUE = f"""property_id currency
  services {{ code category name {NAMES} description price unit currency hours }}
  room_service_menu {{ code section name {NAMES} description price currency dietary }}"""
ENUM_FIELDS = {"kind", "status", "type", "category", "unit"}


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await client.post("/pms/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def as_graphql(value: Any) -> Any:
    """REST JSON as GraphQL spells it: enum values by name (UPPER_CASE), nothing else."""
    if isinstance(value, dict):
        return {
            k: v.upper() if k in ENUM_FIELDS and isinstance(v, str) else as_graphql(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [as_graphql(v) for v in value]
    return value


def same_instant(a: str, b: str) -> bool:
    return dt.datetime.fromisoformat(a) == dt.datetime.fromisoformat(b)


def normalise_times(value: Any) -> Any:
    """Datetimes compared as instants (REST writes `Z`, GraphQL `+00:00`)."""
    if isinstance(value, dict):
        return {k: normalise_times(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise_times(v) for v in value]
    if isinstance(value, str) and len(value) > 19 and value[10:11] == "T":
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat()
    return value


def equal(rest: Any, graphql: Any) -> None:
    assert normalise_times(as_graphql(rest)) == normalise_times(graphql)


async def test_rest_and_graphql_return_the_same_data(pms_http: httpx.AsyncClient) -> None:
    stay = {"check_in": CHECK_IN.isoformat(), "check_out": CHECK_OUT.isoformat()}
    occupancy = {"adults": 2, "children_ages": [5], "rooms": 1}

    rest_av = await pms_http.get(
        f"{BASE}/availability", params=stay | {"adults": 2, "children": [5], "rooms": 1}
    )
    gql_av = await gql(
        pms_http,
        f"""query($p: String!, $ci: Date!, $co: Date!, $o: OccupancyInput!) {{
          availability(property: $p, check_in: $ci, check_out: $co, occupancy: $o) {{
            {AVAILABILITY} }} }}""",
        p=DEMO_PROPERTY_SLUG, ci=stay["check_in"], co=stay["check_out"], o=occupancy,
    )  # fmt: skip
    equal(rest_av.json(), gql_av["availability"])

    request = stay | {"occupancy": occupancy, "room_type_code": "SUP-SEA", "rate_plan_code": "NRF"}
    rest_quote = (await pms_http.post(f"{BASE}/quotes", json=request)).json()
    gql_quote = await gql(
        pms_http,
        f"""mutation($p: String!, $i: QuoteInput!) {{
          quote(property: $p, input: $i) {{ {QUOTE} }} }}""",
        p=DEMO_PROPERTY_SLUG, i=request,
    )  # fmt: skip
    rest_quote.pop("expires_at")
    gql_quote["quote"].pop("expires_at")
    equal(rest_quote, gql_quote["quote"])

    guest = {"first_name": "Noor", "last_name": "Haddad", "phone": "+97150000111"}
    booking = request | {"guest": guest}
    # The same idempotency key through both faces must give the same single reservation.
    rest_res = await pms_http.post(
        f"{BASE}/reservations", json=booking, headers={"Idempotency-Key": "both-faces-1"}
    )
    gql_res = await gql(
        pms_http,
        f"""mutation($p: String!, $i: ReservationInput!) {{
          create_reservation(property: $p, input: $i, idempotency_key: "both-faces-1") {{
            {RESERVATION} }} }}""",
        p=DEMO_PROPERTY_SLUG, i=booking,
    )  # fmt: skip
    equal(rest_res.json(), gql_res["create_reservation"])
    reference = rest_res.json()["reference"]

    gql_get = await gql(
        pms_http,
        f"""query($p: String!, $r: String!) {{ reservation(property: $p, reference: $r) {{
          {RESERVATION} }} }}""",
        p=DEMO_PROPERTY_SLUG, r=reference,
    )  # fmt: skip
    equal((await pms_http.get(f"{BASE}/reservations/{reference}")).json(), gql_get["reservation"])

    change = {"check_out": (CHECK_OUT + dt.timedelta(days=1)).isoformat()}
    rest_mod = await pms_http.patch(f"{BASE}/reservations/{reference}", json=change)
    gql_mod = await gql(
        pms_http,
        f"""query($p: String!, $r: String!) {{ reservation(property: $p, reference: $r) {{
          {RESERVATION} }} }}""",
        p=DEMO_PROPERTY_SLUG, r=reference,
    )  # fmt: skip
    equal(rest_mod.json(), gql_mod["reservation"])

    gql_cancel = await gql(
        pms_http,
        f"""mutation($p: String!, $r: String!) {{ cancel_reservation(property: $p, reference: $r)
          {{ {CANCELLATION} }} }}""",
        p=DEMO_PROPERTY_SLUG, r=reference,
    )  # fmt: skip
    rest_cancel = await pms_http.post(f"{BASE}/reservations/{reference}/cancel")
    equal(rest_cancel.json(), gql_cancel["cancel_reservation"])


async def test_rest_and_graphql_return_the_same_services_and_menu(
    pms_http: httpx.AsyncClient,
) -> None:
    rest = (await pms_http.get(f"{BASE}/services")).json()
    data = await gql(
        pms_http,
        f"""query($p: String!) {{ services(property: $p) {{ {CATALOGUE} }} }}""",
        p=DEMO_PROPERTY_SLUG,
    )
    equal(rest, data["services"])
    assert {n["language"] for n in data["services"]["room_service_menu"][0]["names"]} == {
        "es", "de", "fr", "it", "pt",
    }  # fmt: skip


async def test_graphql_modify_mutation_moves_the_stay(pms_http: httpx.AsyncClient) -> None:
    booking = {
        "check_in": CHECK_IN.isoformat(), "check_out": CHECK_OUT.isoformat(),
        "room_type_code": "STD-TWN", "rate_plan_code": "FLEX-BB",
        "guest": {"first_name": "Aiko", "email": "aiko@example.net"},
    }  # fmt: skip
    created = await pms_http.post(
        f"{BASE}/reservations", json=booking, headers={"Idempotency-Key": "gql-modify-1"}
    )
    data = await gql(
        pms_http,
        """mutation($p: String!, $r: String!, $i: ReservationChangeInput!) {
          modify_reservation(property: $p, reference: $r, input: $i) {
            check_out nights { date } } }""",
        p=DEMO_PROPERTY_SLUG, r=created.json()["reference"],
        i={"check_out": (CHECK_OUT + dt.timedelta(days=2)).isoformat()},
    )  # fmt: skip
    assert len(data["modify_reservation"]["nights"]) == 9


async def test_graphql_errors_carry_the_typed_code(pms_http: httpx.AsyncClient) -> None:
    response = await pms_http.post(
        "/pms/graphql",
        json={
            "query": 'query { reservation(property: "demo-miramar", reference: "NOPE-1") '
            "{ reference } }"
        },
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "reservation_not_found"


async def test_a_quote_without_occupancy_is_for_one_adult(pms_http: httpx.AsyncClient) -> None:
    # The default is printed by introspection ({adults: 1, ...}) and used when omitted.
    data = await gql(
        pms_http,
        """mutation($p: String!, $ci: Date!, $co: Date!) { quote(property: $p, input: {
          check_in: $ci, check_out: $co, room_type_code: "STD-DBL", rate_plan_code: "NRF"})
          { occupancy { adults children_ages rooms } } }""",
        p=DEMO_PROPERTY_SLUG, ci=CHECK_IN.isoformat(), co=CHECK_OUT.isoformat(),
    )  # fmt: skip
    assert data["quote"]["occupancy"] == {"adults": 1, "children_ages": [], "rooms": 1}


async def test_errors_are_logged_by_code_never_with_the_query(
    pms_http: httpx.AsyncClient, log_output: io.StringIO
) -> None:
    # Literals in a query can be guest data; the lines around an error must not reach the log.
    failing = f"""mutation {{
      create_reservation(property: "{DEMO_PROPERTY_SLUG}", idempotency_key: "log-test-1", input: {{
        guest: {{first_name: "Zebulon", last_name: "Quartermaine", phone: "+447700900999"}},
        check_in: "{CHECK_IN}", check_out: "{CHECK_OUT}", room_type_code: "NOPE",
        rate_plan_code: "NRF"}}) {{ reference }} }}"""
    unparsable = '{ reservations(property: "demo-miramar", email: "zebulon@example.org" '

    for query in (failing, unparsable):
        assert (await pms_http.post("/pms/graphql", json={"query": query})).json()["errors"]

    logged = log_output.getvalue()
    assert "Zebulon" not in logged and "Quartermaine" not in logged and "zebulon" not in logged
    lines = log_lines(log_output)
    assert [line for line in lines if line["level"] == "error"] == []
    rejected = [line["code"] for line in lines if line["event"] == "pms.graphql.rejected"]
    assert rejected == ["invalid_request", "invalid_query"]
