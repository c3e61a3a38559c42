"""Property-based run (Schemathesis) over the PMS OpenAPI document: no input makes a 5xx.

The app runs in-process on a real (per-test) database; examples are bounded and
derandomised so the run is short and repeatable.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotelbot.pms.adapters.builtin.demo import DEMO_PROPERTY_SLUG
from hotelbot.pms.app import create_pms_app
from hotelbot.settings import Settings
from tests.pms.conftest import TOKEN

MAX_EXAMPLES = 250


def test_no_server_error_for_any_generated_request(pms_settings: Settings) -> None:
    loop = asyncio.new_event_loop()
    app = create_pms_app(pms_settings)
    schema = schemathesis.openapi.from_dict(app.openapi())
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://pms.test",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    lifespan = app.router.lifespan_context(app)
    loop.run_until_complete(lifespan.__aenter__())
    failures: list[str] = []
    statuses: set[int] = set()

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(schema.as_strategy())
        if case.path_parameters and data.draw(st.booleans()):
            # Half the calls aim at the demo hotel so they reach the adapter, not a 404.
            case.path_parameters["property_key"] = DEMO_PROPERTY_SLUG
        kwargs: dict[str, Any] = case.as_transport_kwargs(base_url="http://pms.test")
        request = {k: v for k, v in kwargs.items() if k in {"method", "url", "params", "json"}}
        headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() not in
                   {"authorization", "user-agent", "x-schemathesis-testcaseid"}}  # fmt: skip
        response = loop.run_until_complete(client.request(**request, headers=headers))
        statuses.add(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

    try:
        run()
    finally:
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(lifespan.__aexit__(None, None, None))
        loop.close()
    assert failures == []
    assert 200 in statuses
