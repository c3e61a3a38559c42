"""POST/GET /webhooks/whatsapp through the real app: security, exactly once, jobs after commit."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import Message as AsgiMessage
from starlette.types import Receive, Scope, Send

from hotelbot.models import Conversation, Direction, Guest, Message, MessageStatus, MessageType
from hotelbot.settings import Settings
from hotelbot.whatsapp.signature import sign
from tests.api.helpers import JOB, PATH, Api, count_messages, fixture, text_from
from tests.whatsapp.test_payloads import EXPECTED


class TestHandshake:
    async def test_matching_token_echoes_the_challenge(self, api: Api) -> None:
        params = {
            "hub.mode": "subscribe",
            "hub.verify_token": "sandbox-verify-token",
            "hub.challenge": "1158201444",
        }
        response = await api.client.get(PATH, params=params)
        assert response.status_code == 200
        assert response.text == "1158201444"
        assert response.headers["content-type"].startswith("text/plain")

    @pytest.mark.parametrize(
        "params",
        [
            {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
            {"hub.mode": "unsubscribe", "hub.verify_token": "sandbox-verify-token"},
            {"hub.verify_token": "sandbox-verify-token", "hub.challenge": "1"},
            {},
        ],
    )
    async def test_anything_else_is_forbidden(self, api: Api, params: dict[str, str]) -> None:
        assert (await api.client.get(PATH, params=params)).status_code == 403


class TestSecurity:
    @pytest.mark.parametrize(
        "signature", [None, "sha256=" + "0" * 64, sign("not-the-app-secret", fixture("text"))]
    )
    async def test_bad_or_missing_signature_is_refused_and_stores_nothing(
        self, api: Api, signature: str | None
    ) -> None:
        before = (
            REGISTRY.get_sample_value(
                "hotelbot_webhook_requests_total", {"outcome": "unauthorized"}
            )
            or 0
        )
        response = await api.post(fixture("text"), signature=signature)
        assert response.status_code == 401
        assert response.json()["error"] == "unauthorized"
        assert await count_messages(api.resources.sessionmaker) == 0
        assert api.queue.enqueued == []
        after = REGISTRY.get_sample_value(
            "hotelbot_webhook_requests_total", {"outcome": "unauthorized"}
        )
        assert after == before + 1

    async def test_signature_over_a_different_body_is_refused(self, api: Api) -> None:
        body = fixture("text")
        tampered = body.replace(b"two", b"ten")
        response = await api.post(tampered, signature=sign(api.secret, body))
        assert response.status_code == 401

    async def test_declared_oversize_body_is_refused(
        self, settings: Settings, api_factory: Callable[..., Any]
    ) -> None:
        settings.whatsapp.max_body_bytes = 512
        api = await api_factory()
        response = await api.post(b"{" + b" " * 600 + b"}")
        assert response.status_code == 413
        assert response.json()["error"] == "payload_too_large"

    async def test_streamed_oversize_body_is_refused(
        self, settings: Settings, api_factory: Callable[..., Any]
    ) -> None:
        settings.whatsapp.max_body_bytes = 512

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b" " * 100  # no Content-Length: the size is only known by counting

        api = await api_factory()
        response = await api.client.post(PATH, content=chunks())
        assert response.status_code == 413
        assert await count_messages(api.resources.sessionmaker) == 0

    @pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"', b'{"entry": 7}'])
    async def test_signed_body_that_is_not_an_envelope_is_a_bad_request(
        self, api: Api, body: bytes
    ) -> None:
        response = await api.post(body)
        assert response.status_code == 400
        assert response.json()["error"] == "malformed_payload"


class TestDelivery:
    async def test_text_is_stored_and_one_turn_enqueued(self, api: Api) -> None:
        response = await api.post(fixture("text"))
        assert response.status_code == 200
        async with api.resources.sessionmaker() as session:
            message = (await session.execute(select(Message))).scalar_one()
        assert message.text == "Do you have a room for two on Friday?"
        assert api.queue.enqueued == [(JOB, {"conversation_id": str(message.conversation_id)})]

    @pytest.mark.parametrize("name", sorted(EXPECTED))
    async def test_every_fixture_is_acknowledged_and_lands_as_its_type(
        self, api: Api, name: str
    ) -> None:
        assert (await api.post(fixture(name))).status_code == 200
        async with api.resources.sessionmaker() as session:
            rows = (await session.execute(select(Message).order_by(Message.created_at))).scalars()
            stored = [MessageType(m.type) for m in rows]
        expected = [kind for cls, kind in EXPECTED[name] if cls.__name__ == "InboundMessage"]
        assert stored == expected

    async def test_two_messages_in_one_envelope_enqueue_one_turn(self, api: Api) -> None:
        await api.post(fixture("two_messages_one_envelope"))
        assert await count_messages(api.resources.sessionmaker) == 2
        assert len(api.queue.enqueued) == 1

    async def test_five_concurrent_identical_deliveries_store_one_message(self, api: Api) -> None:
        body = fixture("text")
        responses = await asyncio.gather(*(api.post(body) for _ in range(5)))
        assert [r.status_code for r in responses] == [200] * 5
        assert await count_messages(api.resources.sessionmaker) == 1
        assert len(api.queue.enqueued) == 1

    async def test_unknown_business_number_is_acknowledged_and_not_stored(self, api: Api) -> None:
        data = json.loads(fixture("text"))
        data["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "123123123"
        response = await api.post(json.dumps(data).encode())
        assert response.status_code == 200
        assert await count_messages(api.resources.sessionmaker) == 0
        assert api.queue.enqueued == []

    async def test_ignored_fields_are_acknowledged(self, api: Api) -> None:
        for name in ("account_update", "template_status_update"):
            assert (await api.post(fixture(name))).status_code == 200
        assert api.queue.enqueued == []

    async def test_status_never_moves_backwards(self, api: Api) -> None:
        await api.post(fixture("text"))  # creates guest and conversation
        async with api.resources.sessionmaker() as session:
            conversation_id = (await session.execute(select(Conversation.id))).scalar_one()
            session.add(
                Message(
                    conversation_id=conversation_id,
                    direction=Direction.OUTBOUND,
                    type=MessageType.TEXT,
                    status=MessageStatus.SENT,
                    wamid="wamid.HBgOUT0001",
                    text="Welcome!",
                )
            )
            await session.commit()
        for name in ("status_read", "status_delivered"):
            assert (await api.post(fixture(name))).status_code == 200
        async with api.resources.sessionmaker() as session:
            query = select(Message.status).where(Message.wamid == "wamid.HBgOUT0001")
            assert (await session.execute(query)).scalar_one() == MessageStatus.READ
        assert len(api.queue.enqueued) == 1  # statuses never start a turn

    async def test_message_is_committed_before_the_response_starts(
        self, api_factory: Callable[..., Any], sessionmaker: async_sessionmaker[AsyncSession]
    ) -> None:
        seen_at_response_start: list[int] = []

        def probe(app: Any) -> Any:
            async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
                async def checking_send(message: AsgiMessage) -> None:
                    if message["type"] == "http.response.start":
                        seen_at_response_start.append(await count_messages(sessionmaker))
                    await send(message)

                await app(scope, receive, checking_send)

            return wrapped

        api = await api_factory(wrap=probe)
        assert (await api.post(fixture("text"))).status_code == 200
        assert seen_at_response_start == [1]
        assert len(api.queue.enqueued) == 1


class TestBusyWebhook:
    """Concurrent deliveries share transactions (group commit); nothing is lost or doubled."""

    async def test_many_concurrent_deliveries_are_each_stored_once(self, api: Api) -> None:
        bodies = [text_from(n % 7, f"wamid.busy.{n}") for n in range(40)]
        bodies += bodies[:10]  # Meta redelivering some of them at the same moment
        responses = await asyncio.gather(*(api.post(body) for body in bodies))
        assert {r.status_code for r in responses} == {200}
        assert await count_messages(api.resources.sessionmaker) == 40
        async with api.resources.sessionmaker() as session:
            conversations = await session.execute(select(func.count(Conversation.id)))
            assert conversations.scalar_one() == 7
        conversation_jobs = {str(kwargs["conversation_id"]) for _, kwargs in api.queue.enqueued}
        assert len(conversation_jobs) == 7

    async def test_a_guest_erased_meanwhile_is_created_again(self, api: Api) -> None:
        # The first delivery leaves the guest's and conversation's ids in the process's cache.
        assert (await api.post(text_from(1, "wamid.erase.1"))).status_code == 200
        async with api.resources.sessionmaker() as session:
            for model in (Message, Conversation, Guest):
                await session.execute(delete(model))
            await session.commit()
        assert (await api.post(text_from(1, "wamid.erase.2"))).status_code == 200
        assert await count_messages(api.resources.sessionmaker) == 1

    async def test_a_new_profile_name_reaches_the_stored_guest(self, api: Api) -> None:
        await api.post(text_from(2, "wamid.name.1", name="Ana"))
        await api.post(text_from(2, "wamid.name.2", name="Ana María"))
        await api.post(text_from(2, "wamid.name.3", name="Ana María"))
        async with api.resources.sessionmaker() as session:
            names = (await session.execute(select(Guest.name))).scalars().all()
        assert names == ["Ana María"]
