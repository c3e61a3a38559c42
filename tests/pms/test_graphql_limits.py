"""GraphQL limits: what one request may ask of the PMS is refused before any resolver runs.

The attacks are the ones found against `hotelbot run` (issue 7): thousands of aliased fields,
hundreds of aliased month-long availability searches, introspection nested 60 levels deep. A
refusal is a GraphQL error with `data: null`: nothing was executed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from hotelbot.pms.adapters.builtin.demo import DEMO_PROPERTY_SLUG
from hotelbot.pms.app import create_pms_app
from hotelbot.pms.graphql_limits import GraphqlLimits
from hotelbot.pms.service import PmsRuntime
from hotelbot.settings import PmsSettings, Settings, WhatsAppSettings
from tests.pms.conftest import TODAY, authenticated_client
from tests.pms.test_graphql import gql

CHECK_IN = TODAY + dt.timedelta(days=40)
MONTH_OUT = CHECK_IN + dt.timedelta(days=30)
ROOM_TYPES = f'room_types(property: "{DEMO_PROPERTY_SLUG}") {{ code name max_occupancy }}'
INTROSPECTION = "{ __schema { queryType { name } types { name } } }"


def availability(alias: str, check_in: dt.date, check_out: dt.date) -> str:
    return (
        f'{alias}: availability(property: "{DEMO_PROPERTY_SLUG}", check_in: "{check_in}", '
        f'check_out: "{check_out}", occupancy: {{adults: 2}}) {{ offers {{ total }} }}'
    )


async def refused(client: httpx.AsyncClient, query: str, **variables: Any) -> str:
    """The one error message a refused request gets; asserts nothing ran."""
    response = await client.post("/pms/graphql", json={"query": query, "variables": variables})
    assert response.status_code in (200, 400), response.text
    body = response.json()
    assert body.get("data") is None, "the query was executed"
    assert len(body["errors"]) >= 1
    message: str = body["errors"][0]["message"]
    return message


async def test_readme_room_types_query_still_works(pms_http: httpx.AsyncClient) -> None:
    data = await gql(pms_http, f"{{ {ROOM_TYPES} }}")

    assert {r["code"] for r in data["room_types"]} >= {"STD-DBL", "SUP-SEA"}


async def test_a_week_of_availability_still_works(pms_http: httpx.AsyncClient) -> None:
    query = f"{{ {availability('week', CHECK_IN, CHECK_IN + dt.timedelta(days=7))} }}"

    data = await gql(pms_http, query)

    assert data["week"]["offers"]


async def test_three_aliased_month_long_searches_are_within_budget(
    pms_http: httpx.AsyncClient,
) -> None:
    fields = " ".join(
        availability(f"a{n}", CHECK_IN + dt.timedelta(days=n), MONTH_OUT + dt.timedelta(days=n))
        for n in range(3)
    )

    data = await gql(pms_http, f"{{ {fields} }}")

    assert all(data[f"a{n}"]["offers"] for n in range(3))


async def test_2000_aliased_room_types_are_refused(pms_http: httpx.AsyncClient) -> None:
    fields = " ".join(f"r{n}: {ROOM_TYPES}" for n in range(2000))

    message = await refused(pms_http, f"{{ {fields} }}")

    assert "1000 tokens" in message


async def test_300_aliases_under_the_token_limit_are_refused(
    pms_http: httpx.AsyncClient,
) -> None:
    # Each alias is 3 tokens: under the token limit, so the alias limit must stop it.
    fields = " ".join(f"r{n}: __typename" for n in range(300))

    message = await refused(pms_http, f"{{ {fields} }}")

    assert message == "300 aliases found. Allowed: 20"


async def test_300_aliased_month_long_availability_searches_are_refused(
    pms_http: httpx.AsyncClient,
) -> None:
    fields = " ".join(availability(f"a{n}", CHECK_IN, MONTH_OUT) for n in range(300))

    message = await refused(pms_http, f"{{ {fields} }}")

    assert "tokens" in message


async def test_four_month_long_searches_are_over_budget(pms_http: httpx.AsyncClient) -> None:
    fields = " ".join(availability(f"a{n}", CHECK_IN, MONTH_OUT) for n in range(4))

    response = await pms_http.post("/pms/graphql", json={"query": f"{{ {fields} }}"})

    body = response.json()
    assert (response.status_code, body["data"]) == (200, None)
    error = body["errors"][0]
    assert error["extensions"] == {"code": "query_too_costly", "cost": 1240, "max_cost": 1000}
    assert "split the query" in error["message"]


async def test_cost_counts_nights_given_as_variables(pms_http: httpx.AsyncClient) -> None:
    fields = " ".join(
        f"a{n}: availability(property: $p, check_in: $ci, check_out: $co, occupancy: {{adults: 1}})"
        " { offers { total } }"
        for n in range(4)
    )
    query = f"query($p: String!, $ci: Date!, $co: Date!) {{ {fields} }}"
    short = {"p": DEMO_PROPERTY_SLUG, "ci": str(CHECK_IN)}

    # Four one-night searches are cheap; the same document over a month each is not.
    data = await gql(pms_http, query, **short, co=str(CHECK_IN + dt.timedelta(days=1)))
    assert data["a3"]["offers"]
    message = await refused(pms_http, query, **short, co=str(MONTH_OUT))
    assert message.startswith("query too costly: estimated cost 1240")


async def test_cost_follows_fragments(pms_http: httpx.AsyncClient) -> None:
    month = availability("a", CHECK_IN, MONTH_OUT).split(": ", 1)[1]
    query = (
        "{ ...Month ... on Query { b: " + month + " } } "
        "fragment Month on Query { a: " + month + " c: " + month + " d: " + month + " }"
    )

    assert (await refused(pms_http, query)).startswith("query too costly")


async def test_60_levels_of_introspection_of_type_are_refused(
    pms_http: httpx.AsyncClient,
) -> None:
    nested = "name " + "ofType { " * 60 + "name" + " }" * 60
    query = f"{{ __schema {{ types {{ {nested} }} }} }}"

    message = await refused(pms_http, query)

    assert message == "introspection nested deeper than 20 levels"


async def test_introspection_depth_follows_fragments(pms_http: httpx.AsyncClient) -> None:
    chain = " ".join(f"fragment F{n} on __Type {{ ofType {{ ...F{n + 1} }} }}" for n in range(25))
    query = f"{{ __schema {{ types {{ ...F0 }} }} }} {chain} fragment F25 on __Type {{ name }}"

    message = await refused(pms_http, query)

    assert message == "introspection nested deeper than 20 levels"


async def test_the_standard_introspection_query_works_in_development(
    pms_http: httpx.AsyncClient,
) -> None:
    from graphql import get_introspection_query

    data = await gql(pms_http, get_introspection_query(descriptions=True))

    assert data["__schema"]["queryType"]["name"] == "Query"


@pytest.fixture
async def production_http(
    pms_settings: Settings, runtime: PmsRuntime
) -> AsyncIterator[httpx.AsyncClient]:
    """The PMS app as production runs it: no sandbox, real secrets, introspection left unset."""
    settings = pms_settings.model_copy(
        update={
            "whatsapp": WhatsAppSettings(
                app_secret=SecretStr("prod-secret"),
                verify_token=SecretStr("prod-verify"),
                access_token=SecretStr("prod-access"),
            )
        }
    )
    async with authenticated_client(create_pms_app(settings, runtime=runtime)) as client:
        yield client


async def test_introspection_is_off_in_production(production_http: httpx.AsyncClient) -> None:
    message = await refused(production_http, INTROSPECTION)

    assert "introspection has been disabled" in message
    # Ordinary queries (and __typename, which is not introspection of the schema) still work.
    data = await gql(production_http, f"{{ __typename {ROOM_TYPES} }}")
    assert data["__typename"] == "Query" and data["room_types"]


def test_introspection_setting_overrides_the_mode(pms_settings: Settings) -> None:
    production = Settings(
        data_dir=pms_settings.data_dir,
        whatsapp=WhatsAppSettings(
            app_secret=SecretStr("s"), verify_token=SecretStr("v"), access_token=SecretStr("a")
        ),
    )
    opened = production.model_copy(update={"pms": PmsSettings(graphql_introspection=True)})
    closed = pms_settings.model_copy(update={"pms": PmsSettings(graphql_introspection=False)})

    assert GraphqlLimits.from_settings(production).introspection is False
    assert GraphqlLimits.from_settings(pms_settings).introspection is True
    assert GraphqlLimits.from_settings(opened).introspection is True
    assert GraphqlLimits.from_settings(closed).introspection is False


async def test_fragment_bombs_are_refused_before_validation(pms_http: httpx.AsyncClient) -> None:
    # 40 fragments, each spreading the next twice: a short document, 2^40 fields written out.
    chain = " ".join(f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(40))
    query = f"{{ ...F0 }} {chain} fragment F40 on Query {{ __typename }}"

    message = await refused(pms_http, query)

    assert message == (
        f"document expands to {2**40} fields through its fragments; the limit is 1000"
    )
