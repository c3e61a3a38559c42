"""End to end, in one process: the sandbox delivers a signed webhook, the API stores it, the
in-process worker answers through the real GraphClient, the sandbox records what was sent."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from hotelbot.models import Direction, Message, MessageStatus
from hotelbot.sandbox.state import Faults
from tests.e2e.conftest import Stack
from tests.factories.property import FIXTURE_PHONE_NUMBER_ID

GUESTS = [f"44770090{n:04d}" for n in range(1, 6)]
ROUNDS = ["Hello", "Good morning", "Hi there"]


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
