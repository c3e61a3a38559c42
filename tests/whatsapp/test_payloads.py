"""Every fixture in tests/data/whatsapp parses, and each event lands as the right kind and type."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from hotelbot.models import MessageType
from hotelbot.whatsapp.payloads import (
    IgnoredChange,
    InboundMessage,
    StatusUpdate,
    WebhookEnvelope,
)

DATA = Path(__file__).parent.parent / "data" / "whatsapp"

M = MessageType
#: fixture → the events it must yield: (kind, message type | status | field).
EXPECTED: dict[str, list[tuple[type, str]]] = {
    "text": [(InboundMessage, M.TEXT)],
    "text_reply": [(InboundMessage, M.TEXT)],
    "interactive_button_reply": [(InboundMessage, M.INTERACTIVE)],
    "interactive_list_reply": [(InboundMessage, M.INTERACTIVE)],
    "interactive_flow_reply": [(InboundMessage, M.INTERACTIVE)],
    "button_quick_reply": [(InboundMessage, M.BUTTON)],
    "audio_voice": [(InboundMessage, M.AUDIO)],
    "image": [(InboundMessage, M.IMAGE)],
    "video": [(InboundMessage, M.VIDEO)],
    "document": [(InboundMessage, M.DOCUMENT)],
    "sticker": [(InboundMessage, M.STICKER)],
    "location": [(InboundMessage, M.LOCATION)],
    "contacts": [(InboundMessage, M.CONTACTS)],
    "reaction": [(InboundMessage, M.REACTION)],
    "reaction_removed": [(InboundMessage, M.REACTION)],
    "order": [(InboundMessage, M.ORDER)],
    "system_number_change": [(InboundMessage, M.SYSTEM)],
    "unsupported": [(InboundMessage, M.UNSUPPORTED)],
    "unknown_type": [(InboundMessage, M.UNSUPPORTED)],
    "malformed_text": [(InboundMessage, M.UNSUPPORTED)],
    "edit": [(InboundMessage, M.TEXT)],
    "revoke": [(InboundMessage, M.SYSTEM)],
    "two_messages_one_envelope": [(InboundMessage, M.TEXT), (InboundMessage, M.TEXT)],
    "status_sent": [(StatusUpdate, "sent")],
    "status_delivered": [(StatusUpdate, "delivered")],
    "status_read": [(StatusUpdate, "read")],
    "status_played": [(StatusUpdate, "played")],
    "status_failed": [(StatusUpdate, "failed")],
    "status_unknown": [(StatusUpdate, "teleported")],
    "account_update": [(IgnoredChange, "account_update")],
    "template_status_update": [(IgnoredChange, "message_template_status_update")],
}


def load(name: str) -> WebhookEnvelope:
    return WebhookEnvelope.model_validate_json((DATA / f"{name}.json").read_bytes())


def only(name: str) -> Any:
    (event,) = list(load(name).events())
    return event


def test_every_fixture_file_is_in_the_table() -> None:
    assert {path.stem for path in DATA.glob("*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_yields_the_expected_events(name: str) -> None:
    events = list(load(name).events())
    found = []
    for event in events:
        match event:
            case InboundMessage():
                found.append((InboundMessage, event.type))
            case StatusUpdate():
                found.append((StatusUpdate, event.status))
            case IgnoredChange():
                found.append((IgnoredChange, event.field))
    assert found == EXPECTED[name]


def test_text_message_carries_sender_routing_and_time() -> None:
    event = only("text")
    assert event.phone_number_id == "900100200300"
    assert event.display_phone_number == "34910000100"
    assert event.wamid == "wamid.HBgTEXT0001"
    assert event.wa_id == "447700900123"
    assert event.profile_name == "Lucía Fernández"
    assert event.sent_at == datetime.fromtimestamp(1764000000, UTC)
    assert event.text == "Do you have a room for two on Friday?"
    assert event.raw["text"] == {"body": "Do you have a room for two on Friday?"}


def test_reply_keeps_the_message_it_answers() -> None:
    assert only("text_reply").context_wamid == "wamid.HBgOUT0001"


@pytest.mark.parametrize(
    ("name", "title", "choice_id"),
    [
        ("interactive_button_reply", "Confirm booking", "book_confirm"),
        ("interactive_list_reply", "Deluxe double", "room_deluxe"),
        ("button_quick_reply", "Yes please", "late_checkout_yes"),
    ],
)
def test_tapped_choices_give_title_and_id(name: str, title: str, choice_id: str) -> None:
    event = only(name)
    assert (event.text, event.choice_id) == (title, choice_id)


@pytest.mark.parametrize(
    ("name", "media_type", "mime", "caption"),
    [
        ("audio_voice", "audio", "audio/ogg; codecs=opus", ""),
        ("image", "image", "image/jpeg", "Broken shower head"),
        ("video", "video", "video/mp4", "Noise from room 204"),
        ("document", "document", "application/pdf", "For check-in"),
        ("sticker", "sticker", "image/webp", ""),
    ],
)
def test_media_gives_id_type_mime_and_caption(
    name: str, media_type: str, mime: str, caption: str
) -> None:
    event = only(name)
    assert event.media_id is not None
    assert (event.media_type, event.mime, event.text) == (media_type, mime, caption)


def test_location_gives_coordinates_and_place_name() -> None:
    event = only("location")
    assert (event.latitude, event.longitude, event.text) == (41.3874, 2.1686, "Plaça de Catalunya")


def test_reaction_points_at_the_message_reacted_to() -> None:
    event = only("reaction")
    assert (event.text, event.context_wamid) == ("👍", "wamid.HBgOUT0001")
    assert only("reaction_removed").text == ""


def test_edit_reads_as_its_new_version() -> None:
    event = only("edit")
    assert event.text == "Do you have a room for three on Friday?"
    assert event.edited_wamid == "wamid.HBgTEXT0001"


def test_revoke_names_the_deleted_message() -> None:
    assert only("revoke").revoked_wamid == "wamid.HBgTEXT0001"


def test_system_message_without_contacts_uses_the_sender() -> None:
    event = only("system_number_change")
    assert (event.wa_id, event.profile_name) == ("447700900123", None)


def test_failed_status_carries_the_error_and_callback_data() -> None:
    event = only("status_failed")
    assert (event.error_code, event.error_title) == (131047, "Re-engagement message")
    assert only("status_sent").biz_opaque_callback_data == "6f1c0e4a-5a6b-4c71-9d0e-2f3a4b5c6d7e"


def test_unknown_keys_anywhere_are_ignored() -> None:
    body = json.loads((DATA / "text.json").read_text())
    body["brand_new_top_level"] = {"x": 1}
    change = body["entry"][0]["changes"][0]
    change["value"]["new_thing"] = [1, 2]
    change["value"]["messages"][0]["text"]["new_field"] = True
    (event,) = WebhookEnvelope.model_validate(body).events()
    assert isinstance(event, InboundMessage)
    assert event.type is MessageType.TEXT


def test_message_without_id_is_ignored_not_raised() -> None:
    body = json.loads((DATA / "text.json").read_text())
    del body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    (event,) = WebhookEnvelope.model_validate(body).events()
    assert isinstance(event, IgnoredChange)


def test_messages_change_with_nothing_in_it_is_ignored() -> None:
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"changes": [{"field": "messages", "value": {"errors": [{"code": 1}]}}]}],
    }
    (event,) = WebhookEnvelope.model_validate(body).events()
    assert isinstance(event, IgnoredChange)


def test_other_objects_are_ignored() -> None:
    body = json.loads((DATA / "text.json").read_text())
    body["object"] = "instagram"
    (event,) = WebhookEnvelope.model_validate(body).events()
    assert isinstance(event, IgnoredChange)


def test_empty_object_is_an_envelope_with_no_events() -> None:
    assert list(WebhookEnvelope.model_validate_json(b"{}").events()) == []


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'"text"', b'{"entry": 5}'])
def test_what_is_not_an_envelope_fails_validation(body: bytes) -> None:
    with pytest.raises(ValidationError):
        WebhookEnvelope.model_validate_json(body)
