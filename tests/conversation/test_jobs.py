"""Conversation jobs against a real database and the sandbox's Graph API: a burst is one turn,
every reply goes out once and in order, reruns and crashes never send twice."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from hotelbot.conversation.jobs import process_inbound, send_outbound, sweep
from hotelbot.kit.db import session_scope
from hotelbot.kit.jobs import Job, JsonScalar
from hotelbot.models import (
    Conversation,
    ConversationMode,
    Direction,
    Message,
    MessageStatus,
)
from hotelbot.models._columns import utcnow
from hotelbot.resources import Resources, open_resources
from hotelbot.sandbox.app import create_sandbox_app
from hotelbot.sandbox.state import Faults, Sandbox
from hotelbot.settings import Settings
from hotelbot.whatsapp.errors import Throttled
from tests.factories.conversation import GUEST_WA_ID, make_conversation, make_inbound


class RecordingQueue:
    """A JobQueue that records wake-ups; the tests run the jobs themselves, one by one."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float, dict[str, Any]]] = []

    async def enqueue(self, job: Job, /, **kwargs: JsonScalar) -> None:
        await self.schedule(job, 0.0, **kwargs)

    async def schedule(self, job: Job, delay_seconds: float, /, **kwargs: JsonScalar) -> None:
        ids = {k: v for k, v in json.loads(json.dumps(kwargs)).items() if not k.startswith("_")}
        self.calls.append((job.name, delay_seconds, ids))

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def work(self, context: Any, stop: Any, *, periodic: Any = ()) -> None: ...


@pytest.fixture
def sandbox_app(settings: Settings) -> Any:
    app = create_sandbox_app(settings)
    # Status webhooks would need the API; these tests look at the outbox rows directly.
    app.state.sandbox.set_faults(Faults(statuses=False, seed=7))
    app.state.sandbox.last_inbound[GUEST_WA_ID] = utcnow()
    return app


@pytest.fixture
def sandbox(sandbox_app: Any) -> Sandbox:
    state: Sandbox = sandbox_app.state.sandbox
    return state


@pytest.fixture
def queue() -> RecordingQueue:
    return RecordingQueue()


@pytest.fixture
async def resources(
    settings: Settings, sandbox_app: Any, queue: RecordingQueue, engine: Any
) -> AsyncIterator[Resources]:
    # `engine` is requested for its teardown, which empties the Postgres tables after the test.
    settings.queue.burst_window_seconds = 2.0
    transport = httpx.ASGITransport(app=sandbox_app)
    async with open_resources(settings, queue, http_transport=transport) as resources:
        yield resources


async def _conversation(
    resources: Resources, *texts: str, age_seconds: float = 60.0, **overrides: Any
) -> tuple[str, list[Message]]:
    async with session_scope(resources.sessionmaker) as session:
        conversation = await make_conversation(session, **overrides)
        messages = [
            await make_inbound(session, conversation, t, age_seconds=age_seconds - n * 0.1)
            for n, t in enumerate(texts)
        ]
        return str(conversation.id), messages


async def _rows(resources: Resources, direction: Direction) -> list[Message]:
    async with resources.sessionmaker() as session:
        query = select(Message).where(Message.direction == direction).order_by(Message.created_at)
        return list((await session.execute(query)).scalars())


def _sent_to_guest(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [s for s in sandbox.sent() if s["to"] == GUEST_WA_ID]


async def test_burst_of_messages_is_answered_in_one_turn(
    resources: Resources, queue: RecordingQueue, sandbox: Sandbox
) -> None:
    cid, messages = await _conversation(resources, "Hola", "¿a qué hora es el desayuno?", "gracias")
    await process_inbound(resources, conversation_id=cid)

    inbound = await _rows(resources, Direction.INBOUND)
    assert {m.status for m in inbound} == {MessageStatus.PROCESSED}
    outbound = await _rows(resources, Direction.OUTBOUND)
    assert outbound, "the guest gets an answer"
    # One turn: every reply is keyed by the newest message of the burst.
    assert {r.idempotency_key.split(":")[0] for r in outbound if r.idempotency_key} == {
        str(messages[-1].id)
    }
    assert queue.calls == [("conversation.send_outbound", 0.0, {"conversation_id": cid})]

    await send_outbound(resources, conversation_id=cid)
    sent = _sent_to_guest(sandbox)
    assert [s["payload"]["biz_opaque_callback_data"] for s in sent] == [str(r.id) for r in outbound]
    assert {r.status for r in await _rows(resources, Direction.OUTBOUND)} == {MessageStatus.SENT}


async def test_turn_waits_while_the_guest_is_still_writing(
    resources: Resources, queue: RecordingQueue
) -> None:
    cid, _ = await _conversation(resources, "Hola", "una pregunta", age_seconds=0.5)
    await process_inbound(resources, conversation_id=cid)

    assert await _rows(resources, Direction.OUTBOUND) == []
    assert {m.status for m in await _rows(resources, Direction.INBOUND)} == {MessageStatus.PENDING}
    [(name, delay, kwargs)] = queue.calls
    assert (name, kwargs) == ("conversation.process_inbound", {"conversation_id": cid})
    assert 0 < delay <= 2.0


async def test_guest_sees_read_and_typing_while_the_turn_waits(
    resources: Resources, sandbox: Sandbox
) -> None:
    cid, messages = await _conversation(resources, "Hola", "una pregunta", age_seconds=0.5)
    # The sandbox knows the guest's message, as it would after delivering it.
    newest = messages[-1]
    sandbox._append("in", "0", GUEST_WA_ID, str(newest.wamid), {"type": "text"})
    await process_inbound(resources, conversation_id=cid)

    assert await _rows(resources, Direction.OUTBOUND) == []  # still waiting for the burst
    view = sandbox.conversation(GUEST_WA_ID)
    assert view["typing"] is True
    assert [m["status"] for m in view["messages"] if m["wamid"] == newest.wamid] == ["read"]


async def test_no_typing_shown_in_human_mode(resources: Resources, sandbox: Sandbox) -> None:
    cid, messages = await _conversation(
        resources, "Hola", age_seconds=0.5, mode=ConversationMode.HUMAN
    )
    sandbox._append("in", "0", GUEST_WA_ID, str(messages[-1].wamid), {"type": "text"})
    await process_inbound(resources, conversation_id=cid)
    assert sandbox.conversation(GUEST_WA_ID)["typing"] is False


async def test_process_inbound_twice_answers_once(
    resources: Resources, queue: RecordingQueue, sandbox: Sandbox
) -> None:
    cid, _ = await _conversation(resources, "Hello")
    await process_inbound(resources, conversation_id=cid)
    await process_inbound(resources, conversation_id=cid)
    await send_outbound(resources, conversation_id=cid)
    await send_outbound(resources, conversation_id=cid)
    replies = await _rows(resources, Direction.OUTBOUND)
    assert len(_sent_to_guest(sandbox)) == len(replies) > 0


async def test_no_reply_in_human_mode(resources: Resources, sandbox: Sandbox) -> None:
    cid, _ = await _conversation(
        resources, "I want to talk to someone", mode=ConversationMode.HUMAN
    )
    await process_inbound(resources, conversation_id=cid)
    await send_outbound(resources, conversation_id=cid)
    assert await _rows(resources, Direction.OUTBOUND) == []
    assert {m.status for m in await _rows(resources, Direction.INBOUND)} == {
        MessageStatus.PROCESSED
    }
    assert _sent_to_guest(sandbox) == []


async def test_throttled_send_is_retried_and_delivered_once(
    resources: Resources, sandbox: Sandbox
) -> None:
    cid, _ = await _conversation(resources, "Hello")
    await process_inbound(resources, conversation_id=cid)
    sandbox.set_faults(Faults(statuses=False, throttle_rate=1.0))
    with pytest.raises(Throttled):
        await send_outbound(resources, conversation_id=cid)
    assert {r.status for r in await _rows(resources, Direction.OUTBOUND)} == {MessageStatus.QUEUED}
    sandbox.set_faults(Faults(statuses=False))
    await send_outbound(resources, conversation_id=cid)
    replies = await _rows(resources, Direction.OUTBOUND)
    assert len(_sent_to_guest(sandbox)) == len(replies)
    assert {r.status for r in replies} == {MessageStatus.SENT}
    assert replies[0].attempts == 2


async def test_free_text_outside_the_window_fails_without_calling_meta(
    resources: Resources, sandbox: Sandbox
) -> None:
    cid, _ = await _conversation(resources, "Hello")
    await process_inbound(resources, conversation_id=cid)
    async with session_scope(resources.sessionmaker) as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.id == uuid.UUID(cid))
            .values(last_inbound_at=utcnow() - timedelta(hours=25))
        )
    await send_outbound(resources, conversation_id=cid)
    replies = await _rows(resources, Direction.OUTBOUND)
    assert {(r.status, r.error_code) for r in replies} == {(MessageStatus.FAILED, 131047)}
    assert _sent_to_guest(sandbox) == []


async def test_reply_left_sending_by_a_dead_worker_is_not_resent_until_swept(
    resources: Resources, queue: RecordingQueue, sandbox: Sandbox
) -> None:
    cid, _ = await _conversation(resources, "Hello")
    await process_inbound(resources, conversation_id=cid)
    async with session_scope(resources.sessionmaker) as session:
        # As if a worker claimed the first reply and was killed before learning the outcome.
        first = (await _rows(resources, Direction.OUTBOUND))[0]
        await session.execute(
            update(Message)
            .where(Message.id == first.id)
            .values(status=MessageStatus.SENDING, status_at=utcnow() - timedelta(minutes=10))
        )
    await send_outbound(resources, conversation_id=cid)
    assert _sent_to_guest(sandbox) == []

    queue.calls.clear()
    await sweep(resources)
    assert ("conversation.send_outbound", 0.0, {"conversation_id": cid}) in queue.calls
    await send_outbound(resources, conversation_id=cid)
    replies = await _rows(resources, Direction.OUTBOUND)
    assert len(_sent_to_guest(sandbox)) == len(replies)


async def test_sweep_reenqueues_messages_whose_wake_up_was_lost(
    resources: Resources, queue: RecordingQueue
) -> None:
    old, _ = await _conversation(resources, "Hello", age_seconds=120)
    fresh, _ = await _conversation(resources, "Hi", age_seconds=0, wa_id="447700900789")
    await sweep(resources)
    assert queue.calls == [("conversation.process_inbound", 0.0, {"conversation_id": old})]
    assert fresh not in json.dumps(queue.calls)
