"""What the engine sees of a guest message: channel-neutral, no wamid, no Graph JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


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
