"""`render()` produces Meta's exact send bodies, within Meta's limits, for every Reply kind."""

from typing import Any

import pytest

from hotelbot.engine.replies import (
    Button,
    Buttons,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    Media,
    Reaction,
    Reply,
    Template,
    Text,
)
from hotelbot.errors import InvalidInput
from hotelbot.sandbox.meta import validate_send
from hotelbot.whatsapp.outbound import is_free_form, mark_read_body, render

GUEST = "491701234567"
HEAD = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": GUEST}

CASES: list[tuple[str, Reply, dict[str, Any]]] = [
    (
        "text",
        Text(body="Check-in is from 15:00."),
        {"type": "text", "text": {"body": "Check-in is from 15:00.", "preview_url": False}},
    ),
    (
        "buttons",
        Buttons(
            body="Shall I book it?",
            header="Garden Double",
            footer="Free cancellation",
            buttons=[Button(id="book.yes", title="Yes, book it"), Button(id="book.no", title="No")],
        ),
        {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "header": {"type": "text", "text": "Garden Double"},
                "body": {"text": "Shall I book it?"},
                "footer": {"text": "Free cancellation"},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": "book.yes", "title": "Yes, book it"}},
                        {"type": "reply", "reply": {"id": "book.no", "title": "No"}},
                    ]
                },
            },
        },
    ),
    (
        "list",
        ListMessage(
            body="Which room would you like?",
            button="See rooms",
            sections=[
                ListSection(
                    title="Rooms",
                    rows=[
                        ListRow(id="room.dbl", title="Double", description="€120 per night"),
                        ListRow(id="room.ste", title="Suite"),
                    ],
                )
            ],
        ),
        {
            "type": "interactive",
            "interactive": {
                "type": "list",
                "body": {"text": "Which room would you like?"},
                "action": {
                    "button": "See rooms",
                    "sections": [
                        {
                            "title": "Rooms",
                            "rows": [
                                {
                                    "id": "room.dbl",
                                    "title": "Double",
                                    "description": "€120 per night",
                                },
                                {"id": "room.ste", "title": "Suite"},
                            ],
                        }
                    ],
                },
            },
        },
    ),
    (
        "template",
        Template(name="stay_reminder", language="de", body_parameters=["Mia", "12. März"]),
        {
            "type": "template",
            "template": {
                "name": "stay_reminder",
                "language": {"code": "de"},
                "components": [
                    {
                        "type": "body",
                        "parameters": [
                            {"type": "text", "text": "Mia"},
                            {"type": "text", "text": "12. März"},
                        ],
                    }
                ],
            },
        },
    ),
    (
        "template without parameters",
        Template(name="welcome_back", language="en_GB"),
        {"type": "template", "template": {"name": "welcome_back", "language": {"code": "en_GB"}}},
    ),
    (
        "image by id",
        Media(media_type="image", media_id="1357913579", caption="Our pool"),
        {"type": "image", "image": {"id": "1357913579", "caption": "Our pool"}},
    ),
    (
        "document by link",
        Media(
            media_type="document",
            link="https://hotel.example/menu.pdf",
            caption="Menu",
            filename="menu.pdf",
        ),
        {
            "type": "document",
            "document": {
                "link": "https://hotel.example/menu.pdf",
                "caption": "Menu",
                "filename": "menu.pdf",
            },
        },
    ),
    (
        "audio drops the caption Meta would refuse",
        Media(media_type="audio", media_id="24682468", caption="ignored"),
        {"type": "audio", "audio": {"id": "24682468"}},
    ),
    (
        "location",
        Location(latitude=41.3851, longitude=2.1734, name="Hotel Example", address="Carrer 1"),
        {
            "type": "location",
            "location": {
                "latitude": 41.3851,
                "longitude": 2.1734,
                "name": "Hotel Example",
                "address": "Carrer 1",
            },
        },
    ),
]


@pytest.mark.parametrize(("reply", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_render_gives_metas_body(reply: Reply, expected: dict[str, Any]) -> None:
    body = render(reply, to=GUEST)
    assert body == HEAD | expected
    assert validate_send(body) is None


def test_reaction_targets_the_guest_message() -> None:
    body = render(Reaction(emoji="👍"), to=GUEST, context_wamid="wamid.guest1")
    assert body == HEAD | {
        "type": "reaction",
        "reaction": {"message_id": "wamid.guest1", "emoji": "👍"},
    }
    assert validate_send(body) is None


def test_reply_quotes_the_guest_message_and_carries_callback_data() -> None:
    body = render(Text(body="Sure"), to=GUEST, context_wamid="wamid.g2", callback_data="msg:42")
    assert body["context"] == {"message_id": "wamid.g2"}
    assert body["biz_opaque_callback_data"] == "msg:42"
    assert validate_send(body) is None


def test_largest_replies_the_models_allow_are_within_metas_limits() -> None:
    largest: list[Reply] = [
        Text(body="x" * 4096),
        Buttons(
            body="b" * 1024,
            header="h" * 60,
            footer="f" * 60,
            buttons=[Button(id=f"{i}" * 256, title="t" * 20) for i in range(3)],
        ),
        ListMessage(
            body="b" * 4096,
            button="l" * 20,
            sections=[
                ListSection(
                    title="s" * 24,
                    rows=[
                        ListRow(id=f"r{i}", title="t" * 24, description="d" * 72) for i in range(10)
                    ],
                )
            ],
        ),
    ]
    for reply in largest:
        assert validate_send(render(reply, to=GUEST)) is None


@pytest.mark.parametrize(
    ("reply", "context"),
    [
        (
            ListMessage(
                body="Pick",
                button="Rooms",
                sections=[
                    ListSection(
                        title=f"S{s}", rows=[ListRow(id=f"{s}.{i}", title="R") for i in range(6)]
                    )
                    for s in range(2)
                ],
            ),
            None,
        ),
        (
            ListMessage(
                body="Pick",
                button="Rooms",
                sections=[
                    ListSection(rows=[ListRow(id="a", title="A")]),
                    ListSection(rows=[ListRow(id="b", title="B")]),
                ],
            ),
            None,
        ),
        (
            Buttons(
                body="Pick", buttons=[Button(id="same", title="A"), Button(id="same", title="B")]
            ),
            None,
        ),
        (Media(media_type="image", media_id="1", link="https://hotel.example/a.jpg"), None),
        (Media(media_type="image"), None),
        (Reaction(emoji="👍"), None),
    ],
    ids=[
        "11+ rows",
        "untitled sections",
        "duplicate button ids",
        "id and link",
        "no media",
        "reaction without target",
    ],
)
def test_replies_meta_would_refuse_are_rejected(reply: Reply, context: str | None) -> None:
    with pytest.raises(InvalidInput):
        render(reply, to=GUEST, context_wamid=context)


def test_callback_data_longer_than_512_is_rejected() -> None:
    with pytest.raises(InvalidInput):
        render(Text(body="hi"), to=GUEST, callback_data="x" * 513)


def test_only_templates_may_leave_the_24_hour_window() -> None:
    assert is_free_form(render(Text(body="hi"), to=GUEST))
    assert is_free_form(render(Reaction(emoji="👍"), to=GUEST, context_wamid="wamid.x"))
    assert not is_free_form(render(Template(name="t", language="en"), to=GUEST))


def test_mark_read_body_with_and_without_typing_indicator() -> None:
    assert mark_read_body("wamid.in", typing=True) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.in",
        "typing_indicator": {"type": "text"},
    }
    assert "typing_indicator" not in mark_read_body("wamid.in", typing=False)
