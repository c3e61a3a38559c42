"""Render channel-neutral `Reply` objects into Graph `POST /{phone-number-id}/messages` bodies.

The only place that knows the outbound JSON. `render()` is pure and raises `InvalidInput` for a
reply Meta would refuse (so the outbox can fail it for good instead of retrying).
Reference: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
"""

from __future__ import annotations

from typing import Any

from hotelbot.engine.replies import (
    Buttons,
    ListMessage,
    Location,
    Media,
    Reaction,
    Reply,
    Template,
    Text,
)
from hotelbot.errors import InvalidInput

#: Meta's cap on the total number of rows across all sections of a list message.
MAX_LIST_ROWS = 10
#: Meta's cap on `biz_opaque_callback_data`.
MAX_CALLBACK_DATA = 512
#: Media kinds that take a caption (audio and stickers do not).
_CAPTIONED = {"image", "video", "document"}

Payload = dict[str, Any]


def render(
    reply: Reply,
    *,
    to: str,
    context_wamid: str | None = None,
    callback_data: str | None = None,
) -> Payload:
    """The exact Graph send body for `reply` to the guest `to` (wa_id digits).

    `context_wamid` quotes the guest message being answered (and is the message a `Reaction`
    reacts to); `callback_data` comes back as `biz_opaque_callback_data` in status webhooks.
    """
    body: Payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
    if isinstance(reply, Reaction):
        if not context_wamid:
            raise InvalidInput("a reaction needs the wamid of the message it reacts to")
        body |= {
            "type": "reaction",
            "reaction": {"message_id": context_wamid, "emoji": reply.emoji},
        }
    else:
        if context_wamid:
            body["context"] = {"message_id": context_wamid}
        message_type, content = _content(reply)
        body |= {"type": message_type, message_type: content}
    if callback_data is not None:
        if len(callback_data) > MAX_CALLBACK_DATA:
            raise InvalidInput("biz_opaque_callback_data is longer than 512 characters")
        body["biz_opaque_callback_data"] = callback_data
    return body


def _content(reply: Reply) -> tuple[str, Payload]:
    if isinstance(reply, Text):
        return "text", {"body": reply.body, "preview_url": reply.preview_url}
    if isinstance(reply, Buttons):
        return "interactive", _buttons(reply)
    if isinstance(reply, ListMessage):
        return "interactive", _list(reply)
    if isinstance(reply, Template):
        return "template", _template(reply)
    if isinstance(reply, Media):
        return reply.media_type, _media(reply)
    if isinstance(reply, Location):
        return "location", _drop_none(
            {
                "latitude": reply.latitude,
                "longitude": reply.longitude,
                "name": reply.name,
                "address": reply.address,
            }
        )
    raise InvalidInput(f"cannot render reply kind {reply.kind!r}")


def _frame(header: str | None, body: str, footer: str | None) -> Payload:
    frame: Payload = {}
    if header:
        frame["header"] = {"type": "text", "text": header}
    frame["body"] = {"text": body}
    if footer:
        frame["footer"] = {"text": footer}
    return frame


def _buttons(reply: Buttons) -> Payload:
    ids = [b.id for b in reply.buttons]
    if len(set(ids)) != len(ids):
        raise InvalidInput("reply button ids must be unique")
    buttons = [{"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in reply.buttons]
    return (
        {"type": "button"}
        | _frame(reply.header, reply.body, reply.footer)
        | {"action": {"buttons": buttons}}
    )


def _list(reply: ListMessage) -> Payload:
    rows = [row for section in reply.sections for row in section.rows]
    if len(rows) > MAX_LIST_ROWS:
        raise InvalidInput("a list message holds at most 10 rows in all")
    if len({row.id for row in rows}) != len(rows):
        raise InvalidInput("list row ids must be unique")
    if len(reply.sections) > 1 and any(not s.title for s in reply.sections):
        raise InvalidInput("every section needs a title when a list has several")
    sections = [
        _drop_none(
            {
                "title": section.title,
                "rows": [
                    _drop_none({"id": r.id, "title": r.title, "description": r.description})
                    for r in section.rows
                ],
            }
        )
        for section in reply.sections
    ]
    return (
        {"type": "list"}
        | _frame(reply.header, reply.body, reply.footer)
        | {"action": {"button": reply.button, "sections": sections}}
    )


def _template(reply: Template) -> Payload:
    template: Payload = {"name": reply.name, "language": {"code": reply.language}}
    if reply.body_parameters:
        parameters = [{"type": "text", "text": p} for p in reply.body_parameters]
        template["components"] = [{"type": "body", "parameters": parameters}]
    return template


def _media(reply: Media) -> Payload:
    if (reply.media_id is None) == (reply.link is None):
        raise InvalidInput("media needs exactly one of media_id and link")
    media: Payload = {"id": reply.media_id} if reply.media_id else {"link": reply.link}
    if reply.caption and reply.media_type in _CAPTIONED:
        media["caption"] = reply.caption
    if reply.filename and reply.media_type == "document":
        media["filename"] = reply.filename
    return media


def _drop_none(values: Payload) -> Payload:
    return {k: v for k, v in values.items() if v is not None}


def mark_read_body(wamid: str, *, typing: bool) -> Payload:
    """Body that marks a guest message read and, with `typing`, shows "typing…" for up to 25 s.

    Reference: https://developers.facebook.com/docs/whatsapp/cloud-api/typing-indicators
    """
    body: Payload = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
    if typing:
        body["typing_indicator"] = {"type": "text"}
    return body


def is_free_form(payload: Payload) -> bool:
    """True for everything but templates: only templates may be sent outside the 24-hour window."""
    return payload.get("type", "text") != "template"
