"""Typed, tolerant models of the WhatsApp Cloud API webhook, and the events we read from it.

Mirrors https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components.
Contract: `WebhookEnvelope.model_validate_json(body).events()` yields one `InboundMessage`,
`StatusUpdate` or `IgnoredChange` per message, status or unhandled change, and never raises on
an unknown field, message type or status — Meta adds shapes without notice, and a webhook we
fail is redelivered for days. Only a body that is not an envelope at all fails validation.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hotelbot.models.message import MessageType

BUSINESS_ACCOUNT = "whatsapp_business_account"
MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})


class _Frozen(BaseModel):
    # Unknown keys are ignored, not rejected: the raw dict is kept on the event anyway.
    # A ValidationError's text would quote the input (message text, profile names) into logs.
    model_config = ConfigDict(
        frozen=True, extra="ignore", populate_by_name=True, hide_input_in_errors=True
    )


# ---- message contents -------------------------------------------------------------------


class TextContent(_Frozen):
    body: str = ""


class MediaContent(_Frozen):
    """image, audio (voice notes have `voice=true`), video, document and sticker."""

    id: str | None = None
    mime_type: str | None = None
    sha256: str | None = None
    caption: str | None = None
    filename: str | None = None
    url: str | None = None
    voice: bool | None = None
    animated: bool | None = None


class LocationContent(_Frozen):
    latitude: float | None = None
    longitude: float | None = None
    name: str | None = None
    address: str | None = None
    url: str | None = None


class ContactName(_Frozen):
    formatted_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None


class ContactPhone(_Frozen):
    phone: str | None = None
    type: str | None = None
    wa_id: str | None = None


class SharedContact(_Frozen):
    name: ContactName | None = None
    phones: list[ContactPhone] = Field(default_factory=list)


class ReplyChoice(_Frozen):
    """A tapped reply button (`button_reply`) or list row (`list_reply`)."""

    id: str = ""
    title: str = ""
    description: str | None = None


class FlowReply(_Frozen):
    """`nfm_reply`: a completed WhatsApp Flow; `response_json` is a JSON string."""

    name: str | None = None
    body: str | None = None
    response_json: str | None = None


class InteractiveContent(_Frozen):
    type: str = ""
    button_reply: ReplyChoice | None = None
    list_reply: ReplyChoice | None = None
    nfm_reply: FlowReply | None = None


class ButtonContent(_Frozen):
    """A quick-reply button of a template message."""

    payload: str | None = None
    text: str | None = None


class ReactionContent(_Frozen):
    message_id: str | None = None
    #: Empty or absent when the guest removed their reaction.
    emoji: str | None = None


class ProductItem(_Frozen):
    product_retailer_id: str | None = None
    quantity: float | None = None
    item_price: float | None = None
    currency: str | None = None


class OrderContent(_Frozen):
    catalog_id: str | None = None
    text: str | None = None
    product_items: list[ProductItem] = Field(default_factory=list)


class SystemContent(_Frozen):
    body: str | None = None
    type: str | None = None
    #: The guest's new number, for `user_changed_number`.
    wa_id: str | None = None


class MessageContext(_Frozen):
    from_: str | None = Field(default=None, alias="from")
    id: str | None = None
    forwarded: bool = False
    frequently_forwarded: bool = False


class GraphError(_Frozen):
    code: int | None = None
    title: str | None = None
    message: str | None = None
    error_data: dict[str, Any] | None = None


class MessageBody(_Frozen):
    """The content part of a message; also the shape of an edit's new version."""

    type: str = ""
    text: TextContent | None = None
    image: MediaContent | None = None
    audio: MediaContent | None = None
    video: MediaContent | None = None
    document: MediaContent | None = None
    sticker: MediaContent | None = None
    location: LocationContent | None = None
    contacts: list[SharedContact] = Field(default_factory=list)
    interactive: InteractiveContent | None = None
    button: ButtonContent | None = None
    reaction: ReactionContent | None = None
    order: OrderContent | None = None
    system: SystemContent | None = None
    context: MessageContext | None = None
    errors: list[GraphError] = Field(default_factory=list)


class EditContent(_Frozen):
    original_message_id: str | None = None
    message: MessageBody | None = None


class RevokeContent(_Frozen):
    original_message_id: str | None = None


class WebhookMessage(MessageBody):
    """One entry of `value.messages`."""

    id: str
    from_: str | None = Field(default=None, alias="from")
    from_user_id: str | None = None
    timestamp: str | int | None = None
    edit: EditContent | None = None
    revoke: RevokeContent | None = None
    referral: dict[str, Any] | None = None


class WebhookStatus(_Frozen):
    """One entry of `value.statuses`: the fate of a message we sent."""

    id: str
    status: str
    timestamp: str | int | None = None
    recipient_id: str | None = None
    biz_opaque_callback_data: str | None = None
    errors: list[GraphError] = Field(default_factory=list)


# ---- envelope -----------------------------------------------------------------------------


class Metadata(_Frozen):
    display_phone_number: str = ""
    phone_number_id: str = ""


class Profile(_Frozen):
    name: str | None = None


class Contact(_Frozen):
    wa_id: str | None = None
    user_id: str | None = None
    profile: Profile | None = None


class MessagesValue(_Frozen):
    """`value` of a `messages` change. Messages and statuses stay dicts until read one by one,
    so that one odd message cannot spoil its neighbours."""

    metadata: Metadata = Field(default_factory=Metadata)
    contacts: list[Contact] = Field(default_factory=list)
    messages: list[dict[str, Any]] = Field(default_factory=list)
    statuses: list[dict[str, Any]] = Field(default_factory=list)
    errors: list[GraphError] = Field(default_factory=list)


class Change(_Frozen):
    field: str = ""
    value: Any = None


class Entry(_Frozen):
    id: str | int | None = None
    changes: list[Change] = Field(default_factory=list)


class WebhookEnvelope(_Frozen):
    object: str = ""
    entry: list[Entry] = Field(default_factory=list)

    def events(self) -> Iterator[Event]:
        """Every message, status and unhandled change in delivery order."""
        for entry in self.entry:
            for change in entry.changes:
                yield from _change_events(self.object, change)


# ---- events -------------------------------------------------------------------------------


class InboundMessage(_Frozen):
    """A guest's message, flattened to what the inbox stores."""

    phone_number_id: str
    display_phone_number: str = ""
    wamid: str
    #: The sender's WhatsApp id (phone digits).
    wa_id: str
    profile_name: str | None = None
    #: Meta's send time; None only when Meta sent no usable timestamp.
    sent_at: datetime | None = None
    type: MessageType
    #: Human-readable: text body, button/list title, caption, location name, emoji, ...
    text: str = ""
    #: The id of the reply button, list row or template quick-reply the guest tapped.
    choice_id: str | None = None
    media_id: str | None = None
    media_type: str | None = None
    mime: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    #: The message this one replies or reacts to.
    context_wamid: str | None = None
    #: For an edit: the message it replaces. For a revoke: the message deleted.
    edited_wamid: str | None = None
    revoked_wamid: str | None = None
    #: The message object exactly as Meta sent it.
    raw: dict[str, Any]


class StatusUpdate(_Frozen):
    phone_number_id: str
    wamid: str
    #: Lower-cased as Meta sends it: sent, delivered, read, played, failed, or anything new.
    status: str
    at: datetime | None = None
    recipient_wa_id: str | None = None
    error_code: int | None = None
    error_title: str | None = None
    biz_opaque_callback_data: str | None = None


class IgnoredChange(_Frozen):
    """A change we acknowledge without acting on (account updates, calls, templates, ...)."""

    field: str
    phone_number_id: str | None = None
    reason: str


Event = InboundMessage | StatusUpdate | IgnoredChange


def _change_events(obj: str, change: Change) -> Iterator[Event]:
    metadata = change.value.get("metadata") if isinstance(change.value, dict) else None
    number = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
    number = number if isinstance(number, str) else None
    if obj != BUSINESS_ACCOUNT or change.field != "messages":
        yield IgnoredChange(field=change.field, phone_number_id=number, reason="not handled")
        return
    try:
        value = MessagesValue.model_validate(change.value)
    except ValidationError:
        yield IgnoredChange(field=change.field, phone_number_id=number, reason="malformed value")
        return
    if not value.messages and not value.statuses:
        yield IgnoredChange(field=change.field, phone_number_id=number, reason="empty")
    for raw in value.messages:
        yield _inbound(value, raw)
    for raw in value.statuses:
        yield _status(value, raw)


def _inbound(value: MessagesValue, raw: dict[str, Any]) -> InboundMessage | IgnoredChange:
    message: WebhookMessage | None
    try:
        message = WebhookMessage.model_validate(raw)
    except ValidationError:
        # A known type with an unexpected shape is still a guest message: keep it, unread.
        message = _unreadable(raw)
    if message is None:
        return _ignored(value, "message without id or sender")
    sender = message.from_ or message.from_user_id or _single_contact(value)
    if not sender:
        return _ignored(value, "message without id or sender")
    return InboundMessage(
        phone_number_id=value.metadata.phone_number_id,
        display_phone_number=value.metadata.display_phone_number,
        wamid=message.id,
        wa_id=sender,
        profile_name=_profile_name(value, sender),
        sent_at=_epoch(message.timestamp),
        raw=raw,
        **{"context_wamid": message.context.id if message.context else None, **_content(message)},
    )


def _unreadable(raw: dict[str, Any]) -> WebhookMessage | None:
    wamid, sender = raw.get("id"), raw.get("from")
    if not isinstance(wamid, str) or not isinstance(sender, str | None):
        return None
    stamp = raw.get("timestamp")
    return WebhookMessage(
        id=wamid,
        from_=sender,
        timestamp=stamp if isinstance(stamp, str | int) else None,
        type="unsupported",
    )


def _status(value: MessagesValue, raw: dict[str, Any]) -> StatusUpdate | IgnoredChange:
    try:
        status = WebhookStatus.model_validate(raw)
    except ValidationError:
        return _ignored(value, "malformed status")
    error = status.errors[0] if status.errors else None
    return StatusUpdate(
        phone_number_id=value.metadata.phone_number_id,
        wamid=status.id,
        status=status.status.lower(),
        at=_epoch(status.timestamp),
        recipient_wa_id=status.recipient_id,
        error_code=error.code if error else None,
        error_title=(error.title or error.message) if error else None,
        biz_opaque_callback_data=status.biz_opaque_callback_data,
    )


def _ignored(value: MessagesValue, reason: str) -> IgnoredChange:
    return IgnoredChange(
        field="messages", phone_number_id=value.metadata.phone_number_id, reason=reason
    )


def content_of(raw: dict[str, Any]) -> dict[str, Any]:
    """The readable fields of a stored message object (type, text, choice_id, media, place)."""
    try:
        message = WebhookMessage.model_validate(raw)
    except ValidationError:
        return {"type": MessageType.UNSUPPORTED}
    return _content(message)


def _content(message: WebhookMessage) -> dict[str, Any]:
    """Type and readable fields. An edit reads as its new version; a revoke as a system note."""
    if message.type == "edit" and message.edit and message.edit.message:
        return {**_body(message.edit.message), "edited_wamid": message.edit.original_message_id}
    if message.type == "revoke":
        original = message.revoke.original_message_id if message.revoke else None
        return {"type": MessageType.SYSTEM, "revoked_wamid": original}
    return _body(message)


def _body(body: MessageBody) -> dict[str, Any]:
    kind = _message_type(body.type)
    fields: dict[str, Any] = {"type": kind}
    if body.type in MEDIA_TYPES:
        media: MediaContent | None = getattr(body, body.type)
        if media is not None:
            fields |= {"text": media.caption or "", "media_id": media.id, "mime": media.mime_type}
        fields["media_type"] = body.type
    elif body.text is not None and kind is MessageType.TEXT:
        fields["text"] = body.text.body
    elif body.location is not None and kind is MessageType.LOCATION:
        loc = body.location
        fields |= {
            "text": loc.name or loc.address or "",
            "latitude": loc.latitude,
            "longitude": loc.longitude,
        }
    elif kind is MessageType.CONTACTS:
        names = (c.name.formatted_name for c in body.contacts if c.name)
        fields["text"] = ", ".join(n for n in names if n)
    elif body.interactive is not None and kind is MessageType.INTERACTIVE:
        fields |= _interactive(body.interactive)
    elif body.button is not None and kind is MessageType.BUTTON:
        fields |= {"text": body.button.text or "", "choice_id": body.button.payload}
    elif body.reaction is not None and kind is MessageType.REACTION:
        # A reaction points at the message it reacts to, like a reply's context.
        fields |= {"text": body.reaction.emoji or "", "context_wamid": body.reaction.message_id}
    elif body.order is not None and kind is MessageType.ORDER:
        fields["text"] = body.order.text or ""
    elif body.system is not None and kind is MessageType.SYSTEM:
        fields["text"] = body.system.body or ""
    return fields


def _interactive(content: InteractiveContent) -> dict[str, Any]:
    choice = content.button_reply or content.list_reply
    if choice is not None:
        return {"text": choice.title, "choice_id": choice.id}
    if content.nfm_reply is not None:
        return {"text": content.nfm_reply.body or ""}
    return {}


def _message_type(name: str) -> MessageType:
    try:
        kind = MessageType(name)
    except ValueError:
        return MessageType.UNSUPPORTED
    # `template` is a type we send, never one a guest can send us.
    return MessageType.UNSUPPORTED if kind is MessageType.TEMPLATE else kind


def _profile_name(value: MessagesValue, sender: str) -> str | None:
    for contact in value.contacts:
        if sender in (contact.wa_id, contact.user_id) and contact.profile:
            return contact.profile.name
    return None


def _single_contact(value: MessagesValue) -> str | None:
    return value.contacts[0].wa_id if len(value.contacts) == 1 else None


def _epoch(stamp: str | int | None) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(stamp), UTC) if stamp is not None else None
    except (ValueError, OverflowError, OSError):
        return None
