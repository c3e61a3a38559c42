"""What the engine sees of a guest message: channel-neutral, no wamid, no Graph JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


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
    latitude: float | None = None
    longitude: float | None = None
    received_at: datetime
