"""A bug inside a turn reaches Sentry through the real `sentry-sdk` transport, posted to a local
server that accepts Sentry envelopes (`tests/fakes/sentry_relay.py`): the event carries the stack
trace down to the failing flow, and no byte of what left the process holds the guest's phone
number, name or message text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import sentry_sdk

from hotelbot.engine import flows
from hotelbot.kit.sentry import init_sentry
from tests.e2e.conftest import Stack
from tests.factories.property import FIXTURE_PHONE_NUMBER_ID
from tests.fakes.sentry_relay import SentryRelay

PHONE = "34612345678"
NAME = "Ana García"
TEXT = "Quiero una habitación doble para el viernes"
#: What must never leave the process, as plain text or JSON-escaped.
SECRETS = ("612345678", "612 345 678", "Ana Garc", "habitaci", "viernes")


@pytest.fixture
def relay() -> Iterator[SentryRelay]:
    relay = SentryRelay()
    relay.start()
    yield relay
    sentry_sdk.init()  # back to a disabled client
    relay.stop()


async def _until_an_event(relay: SentryRelay, timeout: float = 30.0) -> list[dict[str, Any]]:
    for _ in range(int(timeout / 0.1)):
        if relay.events():
            return relay.events()
        await asyncio.sleep(0.1)
    raise AssertionError(f"no event reached the relay (refused: {relay.refused})")


async def test_an_error_inside_a_turn_arrives_with_its_stack_and_without_guest_data(
    stack: Stack, relay: SentryRelay, monkeypatch: pytest.MonkeyPatch, log_output: Any
) -> None:
    assert init_sentry(relay.dsn, "test")

    async def broken_flow(ctx: Any, state: Any, understanding: Any) -> Any:
        guest_text = TEXT  # a frame local: must not be shipped
        raise LookupError(f"no room for {NAME} (+{PHONE}): {guest_text}")

    for name in list(flows.FLOWS):
        monkeypatch.setitem(flows.FLOWS, name, broken_flow)
    body = {"from": PHONE, "name": NAME, "text": TEXT, "phone_number_id": FIXTURE_PHONE_NUMBER_ID}
    assert (await stack.client.post("/sandbox/api/messages", json=body)).status_code == 202
    await stack.settle()  # the job fails after its retries and logs jobs.failed
    sentry_sdk.flush(timeout=10)

    events = await _until_an_event(relay)
    [event] = [e for e in events if e.get("exception")]
    [error] = [v for v in event["exception"]["values"] if v["type"] == "LookupError"]
    functions = [frame["function"] for frame in error["stacktrace"]["frames"]]
    assert "handle_turn" in functions
    assert functions[-1] == "broken_flow"
    assert all("vars" not in frame for frame in error["stacktrace"]["frames"])
    sent = b"".join(relay.raw).decode("utf-8")
    for secret in SECRETS:
        assert secret not in sent, secret
    assert relay.refused == []
