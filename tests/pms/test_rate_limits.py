"""PMS API limits: per token, per client address on the PMS routes, and per address for wrong
tokens; refusals are 429 with Retry-After and show in the metrics. The chatbot's own token is
never limited (its guests are, upstream)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from hotelbot import metrics
from hotelbot.pms.app import create_pms_app
from hotelbot.pms.service import PmsRuntime
from hotelbot.settings import Settings
from tests.pms.conftest import SCOPED_TOKEN, TOKEN


@pytest.fixture
async def pms(pms_settings: Settings, runtime: PmsRuntime) -> AsyncIterator[httpx.AsyncClient]:
    pms_settings.limits.pms_token = "3/minute"
    pms_settings.limits.admin = "5/minute"
    pms_settings.limits.login = "2/minute"
    app = create_pms_app(pms_settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://pms.test") as client:
        yield client


def _as(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _refusals(scope: str) -> float:
    value: float = metrics.RATE_LIMITED.labels(scope=scope)._value.get()
    return value


async def test_a_token_over_its_limit_gets_429_with_retry_after(pms: httpx.AsyncClient) -> None:
    before = _refusals("pms_token")
    statuses = [(await pms.get("/pms/v1/properties", headers=_as(SCOPED_TOKEN))) for _ in range(4)]

    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    refused = statuses[-1]
    assert refused.json()["error"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert _refusals("pms_token") - before == 1
    graphql = await pms.post(
        "/pms/graphql", json={"query": "{ __typename }"}, headers=_as(SCOPED_TOKEN)
    )
    assert graphql.status_code == 429, "GraphQL shares the token's budget"


async def test_the_chatbots_own_token_is_not_limited(pms: httpx.AsyncClient) -> None:
    answers = [await pms.get("/pms/v1/properties", headers=_as(TOKEN)) for _ in range(8)]

    assert {r.status_code for r in answers} == {200}


async def test_wrong_tokens_are_limited_per_address(pms: httpx.AsyncClient) -> None:
    before = _refusals("login")
    answers = [await pms.get("/pms/v1/properties", headers=_as(f"guess-{n}")) for n in range(3)]

    assert [r.status_code for r in answers] == [401, 401, 429]
    assert "Retry-After" in answers[-1].headers
    assert _refusals("login") - before == 1


async def test_each_client_address_has_its_own_admin_budget(
    pms_settings: Settings, runtime: PmsRuntime
) -> None:
    pms_settings.limits.admin = "2/minute"
    app = create_pms_app(pms_settings, runtime=runtime)

    async def calls(address: str) -> list[int]:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://pms.test") as client:
            return [
                (await client.get("/pms/v1/properties", headers=_as(SCOPED_TOKEN))).status_code
                for _ in range(3)
            ]

    assert await calls("203.0.113.7") == [200, 200, 429]
    assert await calls("203.0.113.8") == [200, 200, 429]
