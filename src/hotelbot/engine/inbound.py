"""What the engine sees of a guest message: channel-neutral, no wamid, no Graph JSON.

Every text is cut to a length per kind before the engine reads it (`TEXT_LIMITS`): a client
can send a megabyte where Meta's apps send at most 4,096 characters, and no analysis step
should ever see more. The stored message keeps the whole text, encrypted; it is only not
analysed. docs/security.md says why each limit has its value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

#: The most characters of a message's text the engine analyses, by kind. Text: Meta's own
#: limit for a text message; media: a caption (Meta allows 1,024) or a voice note's transcript
#: (the longest note transcribed, 120 s, is about 2,000 characters of speech); choice: the
#: longest button or list title we send is 24, and 256 leaves room for template buttons;
#: location and contacts: a place's name and address, a few contact names; reaction: one
#: emoji sequence.
TEXT_LIMITS: dict[str, int] = {
    "text": 4096,
    "media": 4096,
    "choice": 256,
    "location": 512,
    "contacts": 512,
    "reaction": 32,
    "order": 1024,
    "unsupported": 0,
}
#: Button and list-row ids we send are at most 256 characters (Meta's limit for an id).
CHOICE_ID_LIMIT = 256


class Heard(BaseModel):
    """What the transcriber made of a voice note; its words are the message's `text`."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    #: Language the words were heard in (one of the property's).
    language: str | None = None
    #: 0..1; below the property's threshold the words are read back before booking/cancelling.
    confidence: float = 0.0
    #: Only the beginning was transcribed (the time budget ran out).
    partial: bool = False
    #: Why there are no words ("too_long", "no_speech", "unavailable", ...); None if there are.
    problem: str | None = None


class GuestMessage(BaseModel):
    # A ValidationError's text would quote the guest's message into logs.
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)

    #: Our message id (stringified UUID): lets replies be idempotent per inbound message.
    id: str
    kind: Literal[
        "text", "choice", "media", "location", "contacts", "reaction", "order", "unsupported"
    ]
    #: Text typed, or the title of the button / list row tapped, or a media caption.
    text: str = ""
    #: For `choice`: the id of the button or list row the guest tapped.
    choice_id: str | None = None
    #: For `media`: image, audio, video, document or sticker.
    media_type: str | None = None
    media_id: str | None = None
    #: For a voice note that went through the transcriber: what it heard (or why it could not).
    heard: Heard | None = None
    latitude: float | None = None
    longitude: float | None = None
    received_at: datetime

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        limit = TEXT_LIMITS.get(str(data.get("kind")), 0)
        text, choice_id = data.get("text"), data.get("choice_id")
        if isinstance(text, str) and len(text) > limit:
            data = {**data, "text": text[:limit]}
        if isinstance(choice_id, str) and len(choice_id) > CHOICE_ID_LIMIT:
            data = {**data, "choice_id": choice_id[:CHOICE_ID_LIMIT]}
        return data
