"""Every Graph error we act on maps to the right class and `retryable`, in one table."""

from typing import Any

import httpx
import pytest

from hotelbot import metrics
from hotelbot.errors import ExternalServiceError
from hotelbot.whatsapp import errors
from hotelbot.whatsapp.client import GraphClient
from hotelbot.whatsapp.errors import error_from_response


def graph_error(code: int, title: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "message": f"(#{code}) something",
        "type": "OAuthException",
    }
    if title:
        body["title"] = title
    return {"error": body | extra}


# (http status, body) -> (class, retryable); bodies written by us in Meta's shapes.
TABLE: list[tuple[int, Any, type[errors.GraphApiError], bool]] = [
    (400, graph_error(4, "Too many calls"), errors.Throttled, True),
    (400, graph_error(80007, "Rate limit issues"), errors.Throttled, True),
    (429, graph_error(130429, "Rate limit hit"), errors.Throttled, True),
    (400, graph_error(131048, "Spam rate limit hit"), errors.Throttled, True),
    (400, graph_error(131056, "Pair rate limit hit"), errors.Throttled, True),
    (400, graph_error(131047, "Re-engagement message"), errors.OutsideWindow, False),
    (400, graph_error(131026, "Message undeliverable"), errors.Undeliverable, False),
    (400, graph_error(131053, "Media upload error"), errors.MediaError, False),
    (400, graph_error(131052, "Media download error"), errors.MediaError, False),
    (400, graph_error(100, "Invalid parameter"), errors.InvalidParameter, False),
    (400, graph_error(131008, "Required parameter is missing"), errors.InvalidParameter, False),
    (400, graph_error(131009, "Parameter value is not valid"), errors.InvalidParameter, False),
    (404, graph_error(132001, "Template does not exist"), errors.TemplateError, False),
    (401, graph_error(190, error_subcode=463, fbtrace_id="AbC123"), errors.TokenExpired, False),
    (401, graph_error(104), errors.AccessDenied, False),
    (403, graph_error(10), errors.AccessDenied, False),
    (403, graph_error(200), errors.AccessDenied, False),
    (400, graph_error(368, "Temporarily blocked"), errors.AccountRestricted, False),
    (400, graph_error(131031, "Account has been locked"), errors.AccountRestricted, False),
    (500, graph_error(131000, "Something went wrong"), errors.ServiceUnavailable, True),
    (500, graph_error(1), errors.ServiceUnavailable, True),
    (503, graph_error(2), errors.ServiceUnavailable, True),
    (503, graph_error(131016, "Service unavailable"), errors.ServiceUnavailable, True),
    # Unknown codes and bodies fall back on the HTTP status.
    (502, "<html>Bad gateway</html>", errors.ServiceUnavailable, True),
    (500, graph_error(999999), errors.ServiceUnavailable, True),
    (429, {"unexpected": True}, errors.Throttled, True),
    (400, graph_error(999999), errors.GraphApiError, False),
]


@pytest.mark.parametrize(("status", "body", "cls", "retryable"), TABLE)
def test_error_table(status: int, body: Any, cls: type, retryable: bool) -> None:
    error = error_from_response(status, body)
    assert type(error) is cls
    assert isinstance(error, ExternalServiceError)
    assert error.retryable is retryable
    assert error.http_status == status
    if isinstance(body, dict) and "error" in body:
        assert error.graph_code == body["error"]["code"]


def test_subcode_and_trace_id_are_kept() -> None:
    error = error_from_response(401, graph_error(190, error_subcode=463, fbtrace_id="AbC123"))
    assert (error.graph_code, error.subcode, error.fbtrace_id) == (190, 463, "AbC123")


def test_error_message_never_echoes_metas_message_or_details() -> None:
    body = {
        "error": {
            "code": 131026,
            "title": "Message undeliverable",
            "message": "(#131026) Recipient +44 7700 900123 is not a WhatsApp user",
            "error_data": {"details": "wa_id 447700900123 cannot receive messages"},
        }
    }
    error = error_from_response(400, body)
    assert "900123" not in str(error)
    assert str(error) == "Message undeliverable (code 131026)"


@pytest.mark.parametrize(("status", "body", "cls", "retryable"), TABLE)
async def test_client_raises_the_mapped_error(
    status: int, body: Any, cls: type, retryable: bool
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    client = GraphClient("https://graph.test/v23.0", "token", transport=httpx.MockTransport(answer))
    with pytest.raises(cls) as caught:
        await client.send("1234", {"messaging_product": "whatsapp", "to": "1", "type": "text"})
    assert type(caught.value) is cls
    assert caught.value.retryable is retryable
    await client.aclose()


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("eof")],
)
async def test_network_failures_are_retryable_service_unavailable(failure: Exception) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise failure

    client = GraphClient("https://graph.test/v23.0", "token", transport=httpx.MockTransport(answer))
    with pytest.raises(errors.ServiceUnavailable) as caught:
        await client.mark_read("1234", "wamid.x")
    assert caught.value.retryable
    await client.aclose()


async def test_retry_after_header_is_passed_on() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json=graph_error(130429), headers={"Retry-After": "7"})

    client = GraphClient("https://graph.test/v23.0", "token", transport=httpx.MockTransport(answer))
    with pytest.raises(errors.Throttled) as caught:
        await client.send("1234", {"type": "text"})
    assert caught.value.retry_after == 7.0
    await client.aclose()


async def test_success_without_a_message_id_is_not_retryable() -> None:
    # The message may have gone out; retrying could send it twice.
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"messaging_product": "whatsapp"})

    client = GraphClient("https://graph.test/v23.0", "token", transport=httpx.MockTransport(answer))
    with pytest.raises(errors.GraphApiError) as caught:
        await client.send("1234", {"type": "text"})
    assert not caught.value.retryable
    await client.aclose()


@pytest.mark.parametrize(
    ("graph_code", "label", "window_refusals"),
    [(130429, "130429", 0), (131047, "131047", 1), (999999, "other", 0), (None, "none", 0)],
)
async def test_errors_are_counted_by_graph_code_with_a_bounded_label(
    graph_code: int | None, label: str, window_refusals: int
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        body = graph_error(graph_code) if graph_code is not None else {"oops": True}
        return httpx.Response(400, json=body)

    errors_total = metrics.GRAPH_ERRORS.labels("send", label)
    refusals = metrics.WINDOW_REFUSALS.labels(source="graph")
    before = (errors_total._value.get(), refusals._value.get())
    client = GraphClient("https://graph.test/v23.0", "token", transport=httpx.MockTransport(answer))
    with pytest.raises(errors.GraphApiError):
        await client.send("1234", {"type": "text"})
    await client.aclose()

    assert errors_total._value.get() - before[0] == 1
    assert refusals._value.get() - before[1] == window_refusals
