"""The engine's memory between turns, stored as JSON in `conversations.state`.

`ConversationState.from_json()` accepts anything an older version wrote (or `{}`/`None`):
unknown keys are dropped and a field that no longer validates falls back to its default, so a
schema change never breaks a live conversation.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

STATE_VERSION = 1


class ConversationState(BaseModel):
    # A ValidationError's text would quote flow data (a surname, a reference) into logs.
    model_config = ConfigDict(extra="ignore", validate_assignment=True, hide_input_in_errors=True)

    version: int = STATE_VERSION
    #: ISO 639-1 code the guest was last answered in.
    language: str | None = None
    #: The flow in progress (e.g. "booking" later); None between flows.
    flow: str | None = None
    #: Whatever the active flow collected so far (slots, step); JSON-ready values only.
    flow_data: dict[str, Any] = Field(default_factory=dict)
    #: Consecutive turns the bot did not understand; reset by an understood turn.
    failures: int = Field(default=0, ge=0)
    opted_out: bool = False
    last_intent: str | None = None
    turns: int = Field(default=0, ge=0)
    #: Booking references the guest proved (reference + surname) in this conversation; the
    #: tools let them change or cancel these besides the ones tied to their own number.
    verified_refs: list[str] = Field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> ConversationState:
        """Tolerant load: never raises on old, partial or corrupted state."""
        if not isinstance(data, dict):
            return cls()
        try:
            return cls.model_validate(data)
        except ValidationError:
            return cls.model_validate(_valid_fields(cls, data))

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def start_flow(self, name: str, **data: Any) -> None:
        self.flow = name
        self.flow_data = dict(data)

    def end_flow(self) -> None:
        self.flow = None
        self.flow_data = {}


def _valid_fields(cls: type[ConversationState], data: dict[str, Any]) -> dict[str, Any]:
    """Keep each field that validates on its own; the rest take their defaults."""
    kept: dict[str, Any] = {}
    for name in cls.model_fields:
        if name not in data:
            continue
        try:
            cls.model_validate({name: data[name]})
        except ValidationError:
            continue
        kept[name] = data[name]
    return kept
