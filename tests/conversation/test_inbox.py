"""The inbox stores each guest message once, applies statuses forward only, feeds turns in order."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.conversation import inbox
from hotelbot.guest import service as guest_service
from hotelbot.models import (
    Conversation,
    Direction,
    Guest,
    Message,
    MessageStatus,
    MessageType,
    Property,
)
from hotelbot.whatsapp.payloads import WebhookEnvelope
from tests.factories.property import make_property

DATA = Path(__file__).parent.parent / "data" / "whatsapp"
NOW = datetime(2025, 11, 24, 16, 5, tzinfo=UTC)
GUEST_WA_ID = "447700900123"
OUT_WAMID = "wamid.HBgOUT0001"


def body(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / f"{name}.json").read_text())
    return data


def envelope(name: str, **message_overrides: Any) -> WebhookEnvelope:
    data = body(name)
    if message_overrides:
        data["entry"][0]["changes"][0]["value"]["messages"][0].update(message_overrides)
    return WebhookEnvelope.model_validate(data)


async def count(session: AsyncSession, model: type) -> int:
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def inbound(session: AsyncSession, wamid: str) -> Message:
    query = select(Message).where(Message.wamid == wamid)
    return (await session.execute(query)).scalar_one()


async def make_outbound(
    session: AsyncSession,
    prop: Property,
    *,
    wamid: str | None = OUT_WAMID,
    status: MessageStatus = MessageStatus.SENT,
    message_id: uuid.UUID | None = None,
) -> Message:
    guest = await guest_service.find_or_create(session, wa_id=GUEST_WA_ID, profile_name=None)
    conversation_id = await inbox.conversation_for(session, property_id=prop.id, guest_id=guest.id)
    message = Message(
        id=message_id or uuid.uuid4(),
        conversation_id=conversation_id,
        direction=Direction.OUTBOUND,
        type=MessageType.TEXT,
        status=status,
        wamid=wamid,
        text="Your room is booked.",
    )
    session.add(message)
    await session.flush()
    return message


@pytest.fixture
async def prop(session: AsyncSession) -> Property:
    created = await make_property(session)
    await session.commit()
    return created


class TestAccept:
    async def test_text_is_stored_pending_with_guest_and_conversation(
        self, session: AsyncSession, prop: Property
    ) -> None:
        touched = await inbox.accept(session, envelope("text"), now=NOW)
        await session.commit()
        message = await inbound(session, "wamid.HBgTEXT0001")
        assert touched == {message.conversation_id}
        assert (message.direction, message.type, message.status) == ("in", "text", "pending")
        assert message.text == "Do you have a room for two on Friday?"
        assert message.payload is not None and message.payload["id"] == "wamid.HBgTEXT0001"
        assert message.sent_by_guest_at == datetime.fromtimestamp(1764000000, UTC)
        conversation = await session.get(Conversation, message.conversation_id)
        assert conversation is not None and conversation.property_id == prop.id
        assert conversation.last_inbound_at == datetime.fromtimestamp(1764000000, UTC)
        guest = await session.get(Guest, conversation.guest_id)
        assert guest is not None and (guest.phone, guest.name) == (GUEST_WA_ID, "Lucía Fernández")

    async def test_text_and_payload_are_encrypted_at_rest(
        self, session: AsyncSession, prop: Property
    ) -> None:
        await inbox.accept(session, envelope("text"), now=NOW)
        await session.commit()
        rows = (await session.execute(text("SELECT text, payload FROM messages"))).one()
        dump = "".join(str(value) for value in rows)
        assert "room for two" not in dump and GUEST_WA_ID not in dump

    async def test_redelivery_is_stored_once_and_touches_nothing(
        self, session: AsyncSession, prop: Property
    ) -> None:
        assert await inbox.accept(session, envelope("text"), now=NOW)
        await session.commit()
        assert await inbox.accept(session, envelope("text"), now=NOW + timedelta(hours=1)) == set()
        await session.commit()
        assert await count(session, Message) == 1

    async def test_concurrent_identical_deliveries_store_one_row(
        self, sessionmaker: async_sessionmaker[AsyncSession], prop: Property
    ) -> None:
        async def deliver() -> set[uuid.UUID]:
            async with sessionmaker() as session:
                touched = await inbox.accept(session, envelope("text"), now=NOW)
                await session.commit()
                return touched

        results = await asyncio.gather(*(deliver() for _ in range(5)))
        assert sorted(len(touched) for touched in results) == [0, 0, 0, 0, 1]
        async with sessionmaker() as session:
            assert await count(session, Message) == 1
            assert await count(session, Conversation) == 1
            assert await count(session, Guest) == 1

    async def test_unknown_business_number_stores_nothing(
        self, session: AsyncSession, prop: Property
    ) -> None:
        data = body("text")
        data["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "111222333"
        touched = await inbox.accept(session, WebhookEnvelope.model_validate(data), now=NOW)
        await session.commit()
        assert touched == set()
        assert await count(session, Message) == 0
        assert await count(session, Guest) == 0

    async def test_two_messages_in_one_envelope_touch_one_conversation_in_order(
        self, session: AsyncSession, prop: Property
    ) -> None:
        (conversation_id,) = await inbox.accept(
            session, envelope("two_messages_one_envelope"), now=NOW
        )
        await session.commit()
        texts = [m.text for m in await inbox.pending(session, conversation_id)]
        assert texts == ["Hi!", "Is breakfast included?"]

    async def test_system_messages_are_kept_but_need_no_turn(
        self, session: AsyncSession, prop: Property
    ) -> None:
        assert await inbox.accept(session, envelope("revoke"), now=NOW) == set()
        await session.commit()
        message = await inbound(session, "wamid.HBgREV0001")
        assert (message.type, message.status) == ("system", "processed")

    @pytest.mark.parametrize(
        ("name", "wamid", "kind"),
        [
            ("unknown_type", "wamid.HBgUNK0001", MessageType.UNSUPPORTED),
            ("malformed_text", "wamid.HBgBAD0001", MessageType.UNSUPPORTED),
            ("unsupported", "wamid.HBgUNS0001", MessageType.UNSUPPORTED),
            ("order", "wamid.HBgORD0001", MessageType.ORDER),
        ],
    )
    async def test_odd_messages_are_stored_for_a_turn(
        self, session: AsyncSession, prop: Property, name: str, wamid: str, kind: MessageType
    ) -> None:
        assert await inbox.accept(session, envelope(name), now=NOW)
        await session.commit()
        message = await inbound(session, wamid)
        assert (message.type, message.status) == (kind, MessageStatus.PENDING)

    async def test_24_hour_window_never_moves_back(
        self, session: AsyncSession, prop: Property
    ) -> None:
        await inbox.accept(session, envelope("text"), now=NOW)
        older = envelope("text", id="wamid.HBgOLD0001", timestamp="1763990000")
        (conversation_id,) = await inbox.accept(session, older, now=NOW)
        await session.commit()
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        assert conversation.last_inbound_at == datetime.fromtimestamp(1764000000, UTC)

    async def test_a_future_timestamp_is_capped_at_now(
        self, session: AsyncSession, prop: Property
    ) -> None:
        future = envelope("text", timestamp=str(int((NOW + timedelta(days=2)).timestamp())))
        (conversation_id,) = await inbox.accept(session, future, now=NOW)
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None and conversation.last_inbound_at == NOW


class TestStatuses:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("status_sent", MessageStatus.SENT),
            ("status_delivered", MessageStatus.DELIVERED),
            ("status_read", MessageStatus.READ),
            ("status_played", MessageStatus.READ),
            ("status_failed", MessageStatus.FAILED),
        ],
    )
    async def test_status_is_applied_to_our_outbound_message(
        self, session: AsyncSession, prop: Property, name: str, expected: MessageStatus
    ) -> None:
        message = await make_outbound(session, prop, status=MessageStatus.SENDING)
        await session.commit()
        assert await inbox.accept(session, envelope(name), now=NOW) == set()
        await session.commit()
        await session.refresh(message)
        assert message.status == expected
        assert message.status_at == datetime.fromtimestamp(1764000100, UTC)

    async def test_failed_records_the_error(self, session: AsyncSession, prop: Property) -> None:
        message = await make_outbound(session, prop)
        await inbox.accept(session, envelope("status_failed"), now=NOW)
        await session.refresh(message)
        assert (message.error_code, message.error_title) == (131047, "Re-engagement message")

    async def test_statuses_never_move_backwards(
        self, session: AsyncSession, prop: Property
    ) -> None:
        message = await make_outbound(session, prop)
        for name in ("status_read", "status_delivered", "status_sent"):
            await inbox.accept(session, envelope(name), now=NOW)
        await session.commit()
        await session.refresh(message)
        assert message.status == MessageStatus.READ

    async def test_unknown_status_changes_nothing(
        self, session: AsyncSession, prop: Property
    ) -> None:
        message = await make_outbound(session, prop)
        await inbox.accept(session, envelope("status_unknown"), now=NOW)
        await session.refresh(message)
        assert message.status == MessageStatus.SENT

    async def test_status_never_touches_an_inbound_message(
        self, session: AsyncSession, prop: Property
    ) -> None:
        await inbox.accept(session, envelope("text", id=OUT_WAMID), now=NOW)
        await inbox.accept(session, envelope("status_read"), now=NOW)
        assert (await inbound(session, OUT_WAMID)).status == MessageStatus.PENDING

    async def test_lost_send_response_is_recovered_from_callback_data(
        self, session: AsyncSession, prop: Property
    ) -> None:
        callback = uuid.UUID(
            body("status_sent")["entry"][0]["changes"][0]["value"]["statuses"][0][
                "biz_opaque_callback_data"
            ]
        )
        message = await make_outbound(
            session, prop, wamid=None, status=MessageStatus.SENDING, message_id=callback
        )
        await inbox.accept(session, envelope("status_sent"), now=NOW)
        await session.refresh(message)
        assert (message.wamid, message.status) == (OUT_WAMID, MessageStatus.SENT)

    async def test_callback_data_cannot_steal_a_wamid_already_stored(
        self, session: AsyncSession, prop: Property
    ) -> None:
        owner = await make_outbound(session, prop, status=MessageStatus.READ)
        data = body("status_sent")
        other = await make_outbound(session, prop, wamid=None, status=MessageStatus.SENDING)
        status = data["entry"][0]["changes"][0]["value"]["statuses"][0]
        status["biz_opaque_callback_data"] = str(other.id)
        await inbox.accept(session, WebhookEnvelope.model_validate(data), now=NOW)
        await session.refresh(owner)
        await session.refresh(other)
        assert (owner.status, other.wamid) == (MessageStatus.READ, None)


class TestTurnsSide:
    async def test_mark_processed_removes_from_pending(
        self, session: AsyncSession, prop: Property
    ) -> None:
        (conversation_id,) = await inbox.accept(
            session, envelope("two_messages_one_envelope"), now=NOW
        )
        first, second = await inbox.pending(session, conversation_id)
        await inbox.mark_processed(session, first, now=NOW)
        assert await inbox.pending(session, conversation_id) == [second]
        assert (first.status, first.status_at) == (MessageStatus.PROCESSED, NOW)

    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("text", {"kind": "text", "text": "Do you have a room for two on Friday?"}),
            ("interactive_button_reply", {"kind": "choice", "choice_id": "book_confirm"}),
            ("interactive_list_reply", {"kind": "choice", "text": "Deluxe double"}),
            ("button_quick_reply", {"kind": "choice", "choice_id": "late_checkout_yes"}),
            ("interactive_flow_reply", {"kind": "unsupported"}),
            ("audio_voice", {"kind": "media", "media_type": "audio", "media_id": "5550001"}),
            ("image", {"kind": "media", "text": "Broken shower head"}),
            ("location", {"kind": "location", "latitude": 41.3874, "longitude": 2.1686}),
            ("contacts", {"kind": "contacts"}),
            ("reaction", {"kind": "reaction", "text": "👍"}),
            ("order", {"kind": "order"}),
            ("unknown_type", {"kind": "unsupported"}),
            ("edit", {"kind": "text", "text": "Do you have a room for three on Friday?"}),
        ],
    )
    async def test_to_guest_message(
        self, session: AsyncSession, prop: Property, name: str, expected: dict[str, Any]
    ) -> None:
        (conversation_id,) = await inbox.accept(session, envelope(name), now=NOW)
        await session.commit()
        session.expunge_all()  # read back from the database, decrypted
        (message,) = await inbox.pending(session, conversation_id)
        guest_message = inbox.to_guest_message(message)
        assert guest_message.id == str(message.id)
        assert guest_message.received_at == datetime.fromtimestamp(1764000000, UTC)
        assert guest_message.model_dump(include=set(expected)) == expected


class TestCardDetails:
    """A card number never reaches the database: the text and the message object are masked."""

    CARD = "4111 1111 1111 1111"

    async def test_a_typed_card_number_is_stored_masked_with_its_last_four_digits(
        self, session: AsyncSession, prop: Property, log_output: Any
    ) -> None:
        typed = f"pay with {self.CARD} exp 12/27 cvv 123"
        await inbox.accept(session, envelope("text", text={"body": typed}), now=NOW)
        await session.commit()
        message = await inbound(session, "wamid.HBgTEXT0001")
        assert message.text == "pay with •••• •••• •••• 1111 exp ••/•• cvv •••"
        assert message.payload is not None
        assert message.payload["text"]["body"] == message.text
        assert message.payload["from"] == GUEST_WA_ID, "ids and numbers are kept as sent"
        assert self.CARD.replace(" ", "") not in json.dumps(message.payload).replace(" ", "")
        assert "1111 1111" not in log_output.getvalue()

    async def test_a_caption_with_a_card_number_is_masked_too(
        self, session: AsyncSession, prop: Property
    ) -> None:
        data = body("image")
        data["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["caption"] = (
            f"my card {self.CARD.replace(' ', '-')}"
        )
        await inbox.accept(session, WebhookEnvelope.model_validate(data), now=NOW)
        await session.commit()
        message = await inbound(session, "wamid.HBgIMG0001")
        assert message.text == "my card •••• •••• •••• 1111"
        assert message.payload is not None
        assert message.payload["image"]["caption"] == "my card •••• •••• •••• 1111"
