"""The webhook POST is served without FastAPI: what the app's middlewares did still happens.

The security, storage and error-body tests in test_webhook.py run through the same receiver;
these cover what the skipped middlewares used to add: the correlation id in the response, the
logs and the turn jobs; the HTTP metrics; and that every other request still reaches the app.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from prometheus_client import REGISTRY

from hotelbot.whatsapp.signature import sign
from tests.api.helpers import PATH, Api, count_messages, fixture, text_from
from tests.conftest import log_lines

GUEST_WA_ID = "447700900123"  # the `text` fixture's sender
GUEST_NAME = "Lucía Fernández"
GUEST_TEXT = "Do you have a room for two on Friday?"


def http_requests(status: str) -> float:
    labels = {"route": PATH, "method": "POST", "status": status}
    return REGISTRY.get_sample_value("hotelbot_http_requests_total", labels) or 0.0


def http_timings() -> float:
    labels = {"route": PATH}
    return REGISTRY.get_sample_value("hotelbot_http_request_duration_seconds_count", labels) or 0.0


def webhook_outcomes(outcome: str) -> float:
    labels = {"outcome": outcome}
    return REGISTRY.get_sample_value("hotelbot_webhook_requests_total", labels) or 0.0


class TestCorrelationId:
    async def test_the_callers_request_id_is_echoed_and_rides_with_the_turn(self, api: Api) -> None:
        response = await api.post(fixture("text"), headers={"X-Request-ID": "meta-delivery-7"})
        assert response.status_code == 200
        assert response.headers["x-request-id"] == "meta-delivery-7"
        assert api.queue.correlation_ids == ["meta-delivery-7"]

    async def test_a_missing_or_malformed_request_id_is_replaced(self, api: Api) -> None:
        first = await api.post(text_from(1, "wamid.cid.1"))
        second = await api.post(text_from(2, "wamid.cid.2"), headers={"X-Request-ID": "x" * 500})
        ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
        assert all(len(i) == 32 for i in ids) and ids[0] != ids[1]
        assert api.queue.correlation_ids == ids

    async def test_a_refusal_echoes_the_id_and_is_logged_under_it(
        self, api: Api, log_output: io.StringIO
    ) -> None:
        response = await api.post(
            fixture("text"), signature=None, headers={"X-Request-ID": "abc-123"}
        )
        assert response.status_code == 401
        assert response.json() == {"error": "unauthorized", "detail": "invalid webhook signature"}
        assert response.headers["x-request-id"] == "abc-123"
        [line] = [line for line in log_lines(log_output) if line["event"] == "api.rejected"]
        assert line["correlation_id"] == "abc-123"
        assert line["code"] == "unauthorized"
        assert line["path"] == PATH

    async def test_logs_of_a_delivery_carry_its_id_and_no_guest_data(
        self, api: Api, log_output: io.StringIO
    ) -> None:
        # A business number we do not serve: the delivery is acknowledged and logged.
        body = fixture("text").replace(b"900100200300", b"123123123")
        response = await api.post(body, headers={"X-Request-ID": "unknown-number-1"})
        assert response.status_code == 200
        lines = log_lines(log_output)
        assert [line["event"] for line in lines] == ["whatsapp.webhook.unknown_number"]
        assert lines[0]["correlation_id"] == "unknown-number-1"
        output = log_output.getvalue()
        assert GUEST_WA_ID not in output and GUEST_TEXT not in output
        assert GUEST_NAME not in output


class TestMetrics:
    async def test_deliveries_and_refusals_are_counted_under_the_route_template(
        self, api: Api
    ) -> None:
        before = (http_requests("200"), http_requests("401"), http_timings())
        outcomes = (webhook_outcomes("ok"), webhook_outcomes("unauthorized"))

        assert (await api.post(fixture("text"))).status_code == 200
        assert (await api.post(fixture("text"), signature=None)).status_code == 401

        assert (http_requests("200"), http_requests("401"), http_timings()) == (
            before[0] + 1,
            before[1] + 1,
            before[2] + 2,
        )
        assert (webhook_outcomes("ok"), webhook_outcomes("unauthorized")) == (
            outcomes[0] + 1,
            outcomes[1] + 1,
        )

    async def test_refused_bodies_are_counted_by_outcome(
        self, api_factory: Callable[..., Any]
    ) -> None:
        api: Api = await api_factory()
        api.resources.settings.whatsapp.max_body_bytes = 512
        before = (webhook_outcomes("payload_too_large"), webhook_outcomes("malformed_payload"))
        assert (await api.post(b"{" + b" " * 600 + b"}")).status_code == 413
        assert (await api.post(b"not json")).status_code == 400
        after = (webhook_outcomes("payload_too_large"), webhook_outcomes("malformed_payload"))
        assert after == (before[0] + 1, before[1] + 1)


class TestEverythingElseReachesTheApp:
    async def test_other_methods_and_paths_are_answered_by_fastapi(self, api: Api) -> None:
        put = await api.client.put(PATH, content=fixture("text"))
        assert put.status_code == 405
        assert "x-request-id" in put.headers  # the app's own middleware answered
        health = await api.client.get("/healthz")
        assert health.status_code == 200
        assert await count_messages(api.resources.sessionmaker) == 0

    async def test_the_webhook_is_found_below_a_root_path(
        self, api_factory: Callable[..., Any]
    ) -> None:
        api: Api = await api_factory(root_path="/hotelbot")
        response = await api.client.post(
            "/hotelbot" + PATH,
            content=fixture("text"),
            headers={"X-Hub-Signature-256": _signature(api, fixture("text"))},
        )
        assert response.status_code == 200
        assert await count_messages(api.resources.sessionmaker) == 1


async def test_a_client_that_hangs_up_mid_body_gets_nothing_stored(
    api_factory: Callable[..., Any],
) -> None:
    captured: list[Any] = []

    def keep(app: Any) -> Any:
        captured.append(app)
        return app

    api: Api = await api_factory(wrap=keep)
    body = fixture("text")
    incoming = [
        {"type": "http.request", "body": body[:20], "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"x-hub-signature-256", _signature(api, body).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("hotelbot.test", 80),
    }
    await captured[0](scope, receive, send)
    assert sent == []
    assert await count_messages(api.resources.sessionmaker) == 0


def _signature(api: Api, body: bytes) -> str:
    return sign(api.secret, body)
