"""Conversation state survives JSON and tolerates whatever older versions stored."""

from __future__ import annotations

from typing import Any

import pytest

from hotelbot.engine.state import ConversationState


@pytest.mark.parametrize("stored", [None, {}, [], "garbage"])
def test_empty_or_foreign_state_loads_as_a_fresh_conversation(stored: Any) -> None:
    assert ConversationState.from_json(stored) == ConversationState()


def test_state_round_trips_through_json() -> None:
    state = ConversationState(language="de", failures=2, opted_out=True, last_intent="faq")
    state.start_flow("booking", adults=2, check_in="2027-03-05")
    assert ConversationState.from_json(state.to_json()) == state


def test_unknown_keys_are_dropped_and_bad_fields_take_their_defaults() -> None:
    stored = {"language": "es", "failures": "many", "mode": "bot", "legacy_slots": {"a": 1}}
    state = ConversationState.from_json(stored)
    assert state.language == "es"
    assert state.failures == 0
    assert "legacy_slots" not in state.to_json()
