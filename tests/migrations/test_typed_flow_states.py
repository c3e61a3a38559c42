"""Conversations stored mid-flow before the flow states were typed carry on after the upgrade.

The previous version kept each flow's memory as a plain dict (`flow_data`, stage as a string,
dates and money as strings). Those rows are read by the typed states' tolerant loader: no data
migration, and the stored shape stays the same (encrypted in `conversations.state`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.engine.flow_states import (
    BookingStage,
    BookingState,
    ManageStage,
    ManageState,
    ServiceStage,
    ServiceState,
)
from hotelbot.engine.state import ConversationState
from hotelbot.engine.turn import TurnResult, handle_turn
from hotelbot.models import Conversation
from tests.engine.conftest import make_ctx, text
from tests.engine.fakes import FakeTools
from tests.factories.conversation import make_conversation

#: Mid-booking as the previous version stored it: offer quoted at 198.00, name given, the PMS
#: needs an e-mail and it was asked for.
BOOKING: dict[str, Any] = {
    "version": 1,
    "language": "en",
    "flow": "booking",
    "flow_data": {
        "stage": "email",
        "check_in": "2027-03-10",
        "check_out": "2027-03-12",
        "adults": 2,
        "offer": "TWN|NRF",
        "expected_total": "198.00",
        "guest": ["Ana", "Sousa"],
    },
}
#: Cancelling a booking found by reference: the surname was asked for.
MANAGE: dict[str, Any] = {
    "language": "en",
    "flow": "manage",
    "flow_data": {"stage": "ask_ref", "goal": "cancel", "pending_ref": "DEM-7K2M9Q4P"},
}
#: A taxi offered for a time; the previous version wrote unset values as null.
SERVICE: dict[str, Any] = {
    "language": "en",
    "flow": "service",
    "flow_data": {
        "stage": "confirm",
        "kind": "taxi",
        "room": None,
        "notes": "a taxi to the airport",
        "at": "2027-03-10T14:00:00+00:00",
        "code": None,
    },
}


async def _stored(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession], state: dict[str, Any]
) -> Conversation:
    """A conversation row holding `state`, read back through a fresh session (decrypted)."""
    conversation = await make_conversation(session, state=state)
    await session.commit()
    async with sessionmaker() as fresh:
        again = await fresh.get(Conversation, conversation.id)
    assert again is not None
    return again


async def _turn(conversation: Conversation, tools: FakeTools, said: str) -> TurnResult:
    return await handle_turn(make_ctx(tools=tools), conversation.state, [text(said)])


def test_the_previous_shapes_load_as_typed_states() -> None:
    booking = ConversationState.from_json(BOOKING).flow_data
    assert booking == BookingState(
        stage=BookingStage.EMAIL,
        check_in=date(2027, 3, 10),
        check_out=date(2027, 3, 12),
        adults=2,
        offer="TWN|NRF",
        expected_total=Decimal("198.00"),
        guest=("Ana", "Sousa"),
    )
    manage = ConversationState.from_json(MANAGE).flow_data
    assert isinstance(manage, ManageState) and manage.stage is ManageStage.ASK_REF
    service = ConversationState.from_json(SERVICE).flow_data
    assert isinstance(service, ServiceState) and service.stage is ServiceStage.CONFIRM
    assert service.at == datetime(2027, 3, 10, 14, 0, tzinfo=UTC)


def test_a_typed_state_is_stored_in_the_shape_the_previous_version_read() -> None:
    assert ConversationState.from_json(BOOKING).to_json()["flow_data"] == BOOKING["flow_data"]


async def test_a_booking_waiting_for_the_email_is_booked_after_the_upgrade(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    conversation = await _stored(session, sessionmaker, BOOKING)
    tools = FakeTools(email_required=True)
    result = await _turn(conversation, tools, "ana.sousa@example.com")
    (made,) = tools.created
    assert (made.guest.first_name, made.guest.last_name) == ("Ana", "Sousa")
    assert made.guest.email == "ana.sousa@example.com"
    assert (made.room_type_code, made.rate_plan_code) == ("TWN", "NRF")
    assert made.expected_total == Decimal("198.00")
    assert result.state["flow"] is None


async def test_a_reference_waiting_for_its_surname_is_found_after_the_upgrade(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    conversation = await _stored(session, sessionmaker, MANAGE)
    tools = FakeTools()
    tools.add(
        "DEM-7K2M9Q4P", last_name="Oyelaran", phone="+447700900999", check_in=date(2027, 4, 2)
    )
    result = await _turn(conversation, tools, "Oyelaran")
    assert "DEM-7K2M9Q4P" in result.state["verified_refs"]
    assert result.state["flow_data"]["stage"] == "cancel_confirm"  # the goal was kept


async def test_a_taxi_waiting_for_a_yes_is_requested_after_the_upgrade(
    session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    conversation = await _stored(session, sessionmaker, SERVICE)
    tools = FakeTools()
    result = await _turn(conversation, tools, "yes please")
    (asked,) = tools.service_requests
    assert asked.scheduled_for == datetime(2027, 3, 10, 14, 0, tzinfo=UTC)
    assert asked.notes == "a taxi to the airport"
    assert result.state["flow"] is None
