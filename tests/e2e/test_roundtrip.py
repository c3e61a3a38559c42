"""End to end, in one process: the sandbox delivers a signed webhook, the API stores it, the
in-process worker answers through the real GraphClient, the sandbox records what was sent."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hotelbot.api.app import create_api_app
from hotelbot.kit.db import session_scope
from hotelbot.kit.jobs import InProcessQueue
from hotelbot.models import Direction, Message, MessageStatus
from hotelbot.resources import Resources, open_resources
from hotelbot.sandbox.app import build_sandbox, install_sandbox
from hotelbot.sandbox.state import Faults, Sandbox
from hotelbot.settings import Settings
from hotelbot.worker.main import start_background
from tests.factories.property import FIXTURE_PHONE_NUMBER_ID, make_property

GUESTS = [f"44770090{n:04d}" for n in range(1, 6)]
ROUNDS = ["Hello", "Good morning", "Hi there"]


class LateApp:
    """An ASGI app set after the resources that need a transport to it are built."""

    app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


@dataclass
class Stack:
    resources: Resources
    queue: InProcessQueue
    sandbox: Sandbox
    client: httpx.AsyncClient

    async def settle(self) -> None:
        """Wait until no job and no status webhook is in flight."""
        while self.queue._tasks or self.sandbox._tasks:
            await self.queue.drain()
            await self.sandbox.drain()


@pytest.fixture
async def stack(settings: Settings, engine: Any) -> AsyncIterator[Stack]:
    settings.queue.burst_window_seconds = 0.05
    late = LateApp()
    transport = httpx.ASGITransport(app=late)
    queue = InProcessQueue(concurrency=4, backoff_base_seconds=0.01, backoff_cap_seconds=0.05)
    async with open_resources(settings, queue, http_transport=transport) as resources:
        async with session_scope(resources.sessionmaker) as session:
            await make_property(session)
        app = create_api_app(resources)
        sandbox = build_sandbox(settings, webhook_transport=transport)
        sandbox.set_faults(Faults(status_delay_ms=0, seed=11))
        install_sandbox(app, sandbox)
        late.app = app
        worker = start_background(resources)
        async with httpx.AsyncClient(transport=transport, base_url="http://hotelbot") as client:
            yield Stack(resources, queue, sandbox, client)
        await worker.stop()
        await sandbox.aclose()


async def _write(stack: Stack, wa_id: str, text: str) -> None:
    response = await stack.client.post(
        "/sandbox/api/messages",
        json={"from": wa_id, "text": text, "phone_number_id": FIXTURE_PHONE_NUMBER_ID},
    )
    assert response.json()["webhook_status"] == 200


async def _conversation_rounds(stack: Stack) -> None:
    for text in ROUNDS:
        await asyncio.gather(*(_write(stack, wa_id, text) for wa_id in GUESTS))
        await stack.settle()


async def _assert_every_reply_sent_once_in_order(stack: Stack) -> None:
    sent = (await stack.client.get("/sandbox/api/sent")).json()
    callback_ids = [s["payload"]["biz_opaque_callback_data"] for s in sent]
    assert len(callback_ids) == len(set(callback_ids)), "a reply was sent twice"
    async with stack.resources.sessionmaker() as session:
        rows = list((await session.execute(select(Message).order_by(Message.created_at))).scalars())
    inbound = [r for r in rows if r.direction == Direction.INBOUND]
    outbound = [r for r in rows if r.direction == Direction.OUTBOUND]
    assert len(inbound) == len(GUESTS) * len(ROUNDS)
    assert {r.status for r in inbound} == {MessageStatus.PROCESSED}
    # Each guest message was its own turn (the guest waited for the answer), each answered.
    turns = {r.idempotency_key.split(":")[0] for r in outbound if r.idempotency_key}
    assert turns == {str(r.id) for r in inbound}
    assert sorted(callback_ids) == sorted(str(r.id) for r in outbound)
    assert {r.status for r in outbound} <= {MessageStatus.DELIVERED, MessageStatus.READ}
    for wa_id in GUESTS:
        to_guest = [s["payload"]["biz_opaque_callback_data"] for s in sent if s["to"] == wa_id]
        stored = [str(r.id) for r in outbound if r.payload and r.payload["to"] == wa_id]
        assert to_guest == stored, "replies reached the guest out of order"


async def test_each_guest_message_gets_its_reply_once(stack: Stack) -> None:
    await _conversation_rounds(stack)
    await _assert_every_reply_sent_once_in_order(stack)


async def test_every_reply_delivered_once_when_a_third_of_sends_fail(stack: Stack) -> None:
    stack.sandbox.set_faults(
        Faults(throttle_rate=0.15, server_error_rate=0.15, status_delay_ms=0, seed=5)
    )
    await _conversation_rounds(stack)
    await _assert_every_reply_sent_once_in_order(stack)
