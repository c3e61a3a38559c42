"""Channel-neutral replies. The engine produces these; `whatsapp/outbound.py` renders them.

Limits mirror WhatsApp's interactive messages so that anything the engine builds can be sent:
reply buttons ≤ 3 (title ≤ 20 chars), list rows ≤ 10 (title ≤ 24, description ≤ 72).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Reply(BaseModel):
    # A ValidationError's text would quote the reply (booking details, names) into logs.
    model_config = ConfigDict(frozen=True, hide_input_in_errors=True)


class Text(_Reply):
    kind: Literal["text"] = "text"
    body: str = Field(min_length=1, max_length=4096)
    preview_url: bool = False


class Button(_Reply):
    id: str = Field(min_length=1, max_length=256)
    title: str = Field(min_length=1, max_length=20)


class Buttons(_Reply):
    kind: Literal["buttons"] = "buttons"
    body: str = Field(min_length=1, max_length=1024)
    buttons: list[Button] = Field(min_length=1, max_length=3)
    header: str | None = Field(default=None, max_length=60)
    footer: str | None = Field(default=None, max_length=60)


class ListRow(_Reply):
    id: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=24)
    description: str | None = Field(default=None, max_length=72)


class ListSection(_Reply):
    title: str | None = Field(default=None, max_length=24)
    rows: list[ListRow] = Field(min_length=1, max_length=10)


class ListMessage(_Reply):
    kind: Literal["list"] = "list"
    body: str = Field(min_length=1, max_length=4096)
    button: str = Field(min_length=1, max_length=20)
    sections: list[ListSection] = Field(min_length=1, max_length=10)
    header: str | None = Field(default=None, max_length=60)
    footer: str | None = Field(default=None, max_length=60)


class Template(_Reply):
    """An approved message template; the only thing that may be sent outside the 24-hour window."""

    kind: Literal["template"] = "template"
    name: str
    language: str
    body_parameters: list[str] = Field(default_factory=list)


class Media(_Reply):
    kind: Literal["media"] = "media"
    media_type: Literal["image", "audio", "video", "document", "sticker"]
    #: Either a Graph media id (uploaded) or a public link.
    media_id: str | None = None
    link: str | None = None
    caption: str | None = Field(default=None, max_length=1024)
    filename: str | None = None


class Location(_Reply):
    kind: Literal["location"] = "location"
    latitude: float
    longitude: float
    name: str | None = None
    address: str | None = None


class Reaction(_Reply):
    """An emoji on the guest message this turn answers (empty emoji removes it)."""

    kind: Literal["reaction"] = "reaction"
    emoji: str


Reply = Annotated[
    Text | Buttons | ListMessage | Template | Media | Location | Reaction,
    Field(discriminator="kind"),
]
