"""`/metrics` exposes our series, labelled by route template rather than the raw path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from hotelbot import metrics
from hotelbot.api.app import create_api_app
from hotelbot.kit.jobs import InProcessQueue
from hotelbot.kit.metrics import HttpMetricsMiddleware, metrics_endpoint, serve_metrics
from hotelbot.resources import open_resources
from hotelbot.settings import Settings
from tests.deploy.stack import free_port


def requests_seen(route: str, method: str = "GET", status: str = "200") -> float:
    value = REGISTRY.get_sample_value(
        "hotelbot_http_requests_total", {"route": route, "method": method, "status": status}
    )
    return value or 0.0


def app_with_routes() -> Any:
    app = FastAPI()

    @app.get("/rooms/{room_id}")
    async def room(room_id: int) -> dict[str, int]:
        return {"room": room_id}

    sub = FastAPI()

    @sub.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"thing": thing_id}

    app.mount("/sub", sub)
    app.add_api_route("/metrics", metrics_endpoint, methods=["GET"])
    return HttpMetricsMiddleware(
        app, requests_total=metrics.HTTP_REQUESTS, duration_seconds=metrics.HTTP_DURATION
    )


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app_with_routes())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_requests_are_labelled_by_route_template(client: httpx.AsyncClient) -> None:
    before = requests_seen("/rooms/{room_id}")

    await client.get("/rooms/101")
    await client.get("/rooms/202")
    body = (await client.get("/metrics")).text

    assert requests_seen("/rooms/{room_id}") == before + 2
    assert 'route="/rooms/{room_id}"' in body
    assert "/rooms/101" not in body and "/rooms/202" not in body


async def test_mounted_apps_and_unknown_paths_keep_labels_bounded(
    client: httpx.AsyncClient,
) -> None:
    before_sub = requests_seen("/sub/things/{thing_id}")
    before_unmatched = requests_seen("unmatched", status="404")

    await client.get("/sub/things/abc")
    await client.get("/wp-admin/34612345678")
    await client.get("/rooms/not-a-number")  # matched route, rejected input

    assert requests_seen("/sub/things/{thing_id}") == before_sub + 1
    assert requests_seen("unmatched", status="404") == before_unmatched + 1
    assert requests_seen("/rooms/{room_id}", status="422") >= 1
    body = (await client.get("/metrics")).text
    assert "34612345678" not in body


async def test_api_app_serves_the_catalogue(settings: Settings) -> None:
    async with open_resources(settings, InProcessQueue()) as resources:
        transport = httpx.ASGITransport(app=create_api_app(resources))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await client.get("/healthz")
            response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    for series in (
        "hotelbot_http_requests_total",
        "hotelbot_http_request_duration_seconds",
        "hotelbot_inbound_messages_total",
        "hotelbot_outbound_messages_total",
        "hotelbot_turn_duration_seconds",
        "hotelbot_graph_api_requests_total",
        "hotelbot_job_runs_total",
    ):
        assert f"# TYPE {series}" in response.text
    assert 'hotelbot_http_requests_total{method="GET",route="/healthz",status="200"}' in (
        response.text
    )


def test_a_side_port_serves_the_exposition_until_stopped() -> None:
    """What `hotelbot worker` runs on `observability.worker_metrics_port`."""
    port = free_port()
    stop = serve_metrics("127.0.0.1", port)
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/metrics")
    finally:
        stop()

    assert response.status_code == 200
    assert "# TYPE hotelbot_queue_depth gauge" in response.text
    assert 'hotelbot_window_refusals_total{source="graph"}' in response.text
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/metrics")
