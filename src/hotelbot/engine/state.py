"""The engine's memory between turns, stored as JSON in `conversations.state`.

`ConversationState.from_json()` accepts anything an older version wrote (or `{}`/`None`):
unknown keys are dropped and a field that no longer validates falls back to its default, so a
schema change never breaks a live conversation. The active flow's own memory is typed
(`flow_data`: `engine/flow_states.py`) and stored in the shape the flows wrote before.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_serializer,
    field_validator,
)

from hotelbot.engine.flow_states import FLOW_STATES, FlowState, NoFlow, tolerant_load

STATE_VERSION = 1

S = TypeVar("S", bound=FlowState)


class ConversationState(BaseModel):
    # A ValidationError's text would quote flow data (a surname, a reference) into logs.
    model_config = ConfigDict(extra="ignore", validate_assignment=True, hide_input_in_errors=True)

    version: int = STATE_VERSION
    #: ISO 639-1 code the guest was last answered in.
    language: str | None = None
    #: The multi-turn flow in progress ("booking", "manage", "service"); None between flows.
    flow: str | None = None
    #: What the active flow collected so far: its typed state (`flow_states.FLOW_STATES`).
    flow_data: FlowState = Field(default_factory=NoFlow)
    #: Consecutive turns the bot did not understand; reset by an understood turn.
    failures: int = Field(default=0, ge=0)
    opted_out: bool = False
    last_intent: str | None = None
    turns: int = Field(default=0, ge=0)
    #: Booking references the guest proved (reference + surname) in this conversation; the
    #: tools let them change or cancel these besides the ones tied to their own number.
    verified_refs: list[str] = Field(default_factory=list)
    #: Words of a voice note heard with low confidence, read back and awaiting "yes" (or "no").
    unconfirmed_speech: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ConversationState:
        """Tolerant load: never raises on old, partial or corrupted state."""
        return tolerant_load(cls, data)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def start_flow(self, name: str, **data: Any) -> FlowState:
        """Make `name` the active flow, its state built from `data`; returns that state."""
        self.flow = name
        self.flow_data = _flow_state_class(name).load(data)
        return self.flow_data

    def end_flow(self) -> None:
        self.flow = None
        self.flow_data = NoFlow()

    def flow_state(self, kind: type[S]) -> S:
        """The active flow's typed state (a fresh one if what is kept belongs to another flow).

        The object is the one stored: changing it changes the conversation's state.
        """
        if not isinstance(self.flow_data, kind):
            self.flow_data = kind()
        assert isinstance(self.flow_data, kind)
        return self.flow_data

    @field_validator("flow_data", mode="before")
    @classmethod
    def _typed_flow_data(cls, value: Any, info: ValidationInfo) -> Any:
        """Stored JSON becomes the typed state of the flow named by `flow` (declared first)."""
        if isinstance(value, FlowState):
            return value
        return _flow_state_class(info.data.get("flow")).load(value)

    @field_serializer("flow_data")
    def _flow_data_json(self, value: FlowState) -> dict[str, Any]:
        return value.dump()


def _flow_state_class(flow: object) -> type[FlowState]:
    return FLOW_STATES.get(flow, NoFlow) if isinstance(flow, str) else NoFlow
