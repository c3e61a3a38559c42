"""Meta's shapes, as the sandbox speaks them: send validation, error bodies, webhook envelopes.

Validation follows the Cloud API's documented limits (text ≤ 4096, ≤ 3 reply buttons with
titles ≤ 20, ≤ 10 list rows in all, ...) and answers with the code Meta uses: 100 for a missing
or malformed parameter, 131009 for an interactive message whose values are out of bounds.
Reference: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
MESSAGE_TYPES = (
    "text",
    "interactive",
    "template",
    "location",
    "reaction",
    "contacts",
    *MEDIA_TYPES,
)


@dataclass(frozen=True)
class MetaError:
    """An error the sandbox answers with, rendered by `error_body()`."""

    http_status: int
    code: int
    message: str
    title: str | None = None
    details: str | None = None
    error_type: str = "OAuthException"
    subcode: int | None = None


def error_body(error: MetaError) -> dict[str, Any]:
    """Graph's error envelope: `{"error": {message, type, code, error_data, fbtrace_id}}`."""
    body: dict[str, Any] = {
        "message": f"(#{error.code}) {error.message}",
        "type": error.error_type,
        "code": error.code,
        "fbtrace_id": "A" + secrets.token_urlsafe(16),
    }
    if error.title:
        body["title"] = error.title
    if error.subcode is not None:
        body["error_subcode"] = error.subcode
    if error.details:
        body["error_data"] = {"messaging_product": "whatsapp", "details": error.details}
    return {"error": body}


def _missing(param: str) -> MetaError:
    return MetaError(400, 100, f"The parameter {param} is required.", title="Invalid parameter")


def _invalid(details: str) -> MetaError:
    return MetaError(400, 131009, "Parameter value is not valid", "Invalid parameter", details)


def _too_long(param: str, limit: int) -> MetaError:
    message = f"Param {param} must be at most {limit} characters long."
    return MetaError(400, 100, message, title="Invalid parameter")


THROTTLED = MetaError(
    429,
    130429,
    "Rate limit hit",
    "Rate limit hit",
    "Cloud API message throughput has been reached.",
)
SERVER_ERROR = MetaError(
    500, 131000, "Something went wrong", "Something went wrong", "Message failed to send."
)
OUTSIDE_WINDOW = MetaError(
    400,
    131047,
    "Re-engagement message",
    "Re-engagement message",
    "Message failed to send because more than 24 hours have passed since the customer last "
    "replied to this number.",
)
TOKEN_MISSING = MetaError(
    401, 104, "An access token is required to request this resource.", error_type="OAuthException"
)
TOKEN_INVALID = MetaError(401, 190, "Invalid OAuth access token - Cannot parse access token")


#: What Meta accepts per media kind: MIME types (audio/ogg holds Opus only) and the largest size.
#: https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#supported-media-types
AUDIO_TYPES = ("audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg")
MAX_MEDIA_BYTES = {
    "audio": 16 * 1024 * 1024,
    "video": 16 * 1024 * 1024,
    "image": 5 * 1024 * 1024,
    "sticker": 500 * 1024,
    "application": 100 * 1024 * 1024,
    "text": 100 * 1024 * 1024,
}


def validate_upload(mime_type: str, size: int) -> MetaError | None:
    """An upload's type and size, checked as Meta does before it stores the file."""
    base = mime_type.split(";")[0].strip().lower()
    kind = base.split("/")[0]
    if kind == "audio" and base not in AUDIO_TYPES:
        return _invalid(f"Param file must be a file with one of the following types: {base}")
    if size > MAX_MEDIA_BYTES.get(kind, MAX_MEDIA_BYTES["application"]):
        return _invalid(f"File is too big: {size} bytes for {kind}")
    if size == 0:
        return _invalid("Param file must not be empty")
    return None


def unknown_object(object_id: str) -> MetaError:
    return MetaError(
        400,
        100,
        f"Unsupported request - method type: post or get, object with ID '{object_id}' "
        "does not exist",
        error_type="GraphMethodException",
        subcode=33,
    )


def _text_error(value: Any, param: str, limit: int) -> MetaError | None:
    if not isinstance(value, str) or not value:
        return _missing(param)
    return _too_long(param, limit) if len(value) > limit else None


def validate_send(body: Any) -> MetaError | None:
    """None when Meta would accept `body` for `POST /{phone-number-id}/messages`."""
    if not isinstance(body, dict):
        return MetaError(400, 100, "Invalid JSON in request body")
    if body.get("messaging_product") != "whatsapp":
        return _missing("messaging_product")
    if not isinstance(body.get("to"), str) or not _digits(body["to"]):
        return _missing("to")
    # Meta defaults `type` to text when it is left out.
    message_type = body.get("type", "text")
    if message_type not in MESSAGE_TYPES:
        return MetaError(
            400, 100, f"Param type must be one of {{{', '.join(MESSAGE_TYPES)}}}", "Invalid type"
        )
    content = body.get(message_type)
    if not isinstance(content, dict):
        return _missing(message_type)
    callback = body.get("biz_opaque_callback_data")
    if callback is not None and (not isinstance(callback, str) or len(callback) > 512):
        return _too_long("biz_opaque_callback_data", 512)
    check = _CHECKS.get(message_type)
    return check(content) if check else None


def _check_text(content: dict[str, Any]) -> MetaError | None:
    return _text_error(content.get("body"), "text['body']", 4096)


def _check_interactive(content: dict[str, Any]) -> MetaError | None:
    kind = content.get("type")
    if kind not in ("button", "list", "cta_url", "flow", "product", "product_list"):
        return _missing("interactive['type']")
    body = content.get("body")
    limit = 4096 if kind == "list" else 1024
    error = _text_error(body.get("text") if isinstance(body, dict) else None, "body.text", limit)
    if error:
        return _invalid(f"body text must be 1 to {limit} characters") if body else error
    header, footer = content.get("header"), content.get("footer")
    if isinstance(header, dict) and header.get("type") == "text":
        if len(str(header.get("text", ""))) > 60:
            return _invalid("Header text length invalid. Max length is 60")
    if isinstance(footer, dict) and len(str(footer.get("text", ""))) > 60:
        return _invalid("Footer text length invalid. Max length is 60")
    action = content.get("action")
    if not isinstance(action, dict):
        return _missing("interactive['action']")
    if kind == "button":
        return _check_buttons(action)
    if kind == "list":
        return _check_list(action)
    return None


def _check_buttons(action: dict[str, Any]) -> MetaError | None:
    buttons = action.get("buttons")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return _invalid("Number of buttons must be between 1 and 3")
    ids: list[str] = []
    for button in buttons:
        reply = button.get("reply") if isinstance(button, dict) else None
        if not isinstance(reply, dict) or button.get("type") != "reply":
            return _missing("action['buttons'][]['reply']")
        title, button_id = reply.get("title"), reply.get("id")
        if not isinstance(title, str) or not 1 <= len(title) <= 20:
            return _invalid("Button title length invalid. Min length is 1, max length is 20")
        if not isinstance(button_id, str) or not 1 <= len(button_id) <= 256:
            return _invalid("Button id length invalid. Min length is 1, max length is 256")
        ids.append(button_id)
    if len(set(ids)) != len(ids):
        return _invalid("Button IDs must be unique")
    return None


def _check_list(action: dict[str, Any]) -> MetaError | None:
    button = action.get("button")
    if not isinstance(button, str) or not 1 <= len(button) <= 20:
        return _invalid("Button label length invalid. Min length is 1, max length is 20")
    sections = action.get("sections")
    if not isinstance(sections, list) or not 1 <= len(sections) <= 10:
        return _invalid("Number of sections must be between 1 and 10")
    rows: list[dict[str, Any]] = []
    for section in sections:
        if not isinstance(section, dict) or not isinstance(section.get("rows"), list):
            return _missing("action['sections'][]['rows']")
        if len(sections) > 1 and not section.get("title"):
            return _invalid("Section title is required when there is more than one section")
        if len(str(section.get("title", ""))) > 24:
            return _invalid("Section title length invalid. Max length is 24")
        rows.extend(r if isinstance(r, dict) else {} for r in section["rows"])
    if not 1 <= len(rows) <= 10:
        return _invalid("Total row count exceed max allowed count: 10")
    for row in rows:
        error = _check_row(row)
        if error:
            return error
    if len({row["id"] for row in rows}) != len(rows):
        return _invalid("Row IDs must be unique")
    return None


def _check_row(row: dict[str, Any]) -> MetaError | None:
    if not isinstance(row.get("id"), str) or not 1 <= len(row["id"]) <= 200:
        return _invalid("Row id length invalid. Min length is 1, max length is 200")
    if not isinstance(row.get("title"), str) or not 1 <= len(row["title"]) <= 24:
        return _invalid("Row title length invalid. Min length is 1, max length is 24")
    if len(str(row.get("description", ""))) > 72:
        return _invalid("Row description length invalid. Max length is 72")
    return None


def _check_template(content: dict[str, Any]) -> MetaError | None:
    if not isinstance(content.get("name"), str) or not content["name"]:
        return _missing("template['name']")
    language = content.get("language")
    if not isinstance(language, dict) or not language.get("code"):
        return _missing("template['language']")
    return None


def _check_media(content: dict[str, Any]) -> MetaError | None:
    if ("id" in content) == ("link" in content):
        return _missing("id or link")
    caption = content.get("caption")
    if caption is not None and len(str(caption)) > 1024:
        return _too_long("caption", 1024)
    return None


def _check_location(content: dict[str, Any]) -> MetaError | None:
    for key in ("latitude", "longitude"):
        if not isinstance(content.get(key), int | float):
            return _missing(f"location['{key}']")
    return None


def _check_reaction(content: dict[str, Any]) -> MetaError | None:
    if not isinstance(content.get("message_id"), str):
        return _missing("reaction['message_id']")
    if not isinstance(content.get("emoji"), str):
        return _missing("reaction['emoji']")
    return None


_CHECKS = {
    "text": _check_text,
    "interactive": _check_interactive,
    "template": _check_template,
    "location": _check_location,
    "reaction": _check_reaction,
    **dict.fromkeys(MEDIA_TYPES, _check_media),
}


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def wa_id_of(to: str) -> str:
    """Meta's normalisation of a recipient: the digits of the international number."""
    return _digits(to)


def new_wamid() -> str:
    return "wamid." + secrets.token_urlsafe(36).replace("-", "A").replace("_", "B")


def send_success(to: str, wamid: str, *, template: bool) -> dict[str, Any]:
    """Meta's 200 body for an accepted send."""
    message: dict[str, Any] = {"id": wamid}
    if template:
        message["message_status"] = "accepted"
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": wa_id_of(to)}],
        "messages": [message],
    }


def envelope(
    waba_id: str, phone_number_id: str, display_number: str, value: dict[str, Any]
) -> dict[str, Any]:
    """The webhook envelope around one `messages` change."""
    metadata = {
        "display_phone_number": wa_id_of(display_number),
        "phone_number_id": phone_number_id,
    }
    head: dict[str, Any] = {"messaging_product": "whatsapp", "metadata": metadata}
    change = {"field": "messages", "value": head | value}
    return {"object": "whatsapp_business_account", "entry": [{"id": waba_id, "changes": [change]}]}


def guest_message_value(
    *, wa_id: str, name: str, wamid: str, timestamp: int, content: dict[str, Any]
) -> dict[str, Any]:
    """`value` for one inbound message; `content` holds `type`, the typed part and `context`."""
    message = {"from": wa_id, "id": wamid, "timestamp": str(timestamp)} | content
    return {
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [message],
    }


def status_value(
    *,
    wamid: str,
    status: str,
    recipient: str,
    timestamp: int,
    conversation_id: str,
    callback_data: str | None,
) -> dict[str, Any]:
    """`value` for one status update of a message we sent."""
    conversation: dict[str, Any] = {"id": conversation_id, "origin": {"type": "service"}}
    if status == "sent":
        conversation["expiration_timestamp"] = str(timestamp + 24 * 3600)
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(timestamp),
        "recipient_id": recipient,
        "conversation": conversation,
        "pricing": {"billable": True, "pricing_model": "CBP", "category": "service"},
    }
    if callback_data is not None:
        item["biz_opaque_callback_data"] = callback_data
    return {"statuses": [item]}
