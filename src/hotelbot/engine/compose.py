"""Decision → channel-neutral replies, in the guest's language.

Sentences come from `engine/texts/`, facts from the property profile (`engine/profile.py`);
compose adds nothing of its own. Lists show at most 10 topics (WhatsApp's limit per list).
"""

from __future__ import annotations

from hotelbot.engine import profile as hotel_profile
from hotelbot.engine.context import TurnContext
from hotelbot.engine.decision import (
    Decision,
    Fact,
    HotelPin,
    Menu,
    Options,
    Say,
    Speech,
    TopicList,
)
from hotelbot.engine.replies import (
    Button,
    Buttons,
    ListMessage,
    ListRow,
    ListSection,
    Location,
    Reply,
    Text,
)
from hotelbot.engine.texts import render
from hotelbot.engine.understand.faq import TOPICS

MAX_LIST_ROWS = 10
MAX_BUTTONS = 3
BUTTON_TITLE = 20
ROW_TITLE = 24
ROW_DESCRIPTION = 72
#: Topic order in the list when the profile answers more than fit: most asked first.
LIST_ORDER: tuple[str, ...] = (
    "checkin_time", "checkout_time", "breakfast", "parking", "wifi", "location", "airport",
    "pets", "pool", "cancellation_policy", "gym", "payment", "accessibility",
)  # fmt: skip


def compose(ctx: TurnContext, decision: Decision) -> list[Reply]:
    replies: list[Reply] = []
    for item in decision.speech:
        replies.extend(_render(ctx, item, decision.language))
    return replies


def _render(ctx: TurnContext, item: Speech, language: str) -> list[Reply]:
    hotel = ctx.property.name
    match item:
        case Say(key=key, params=params):
            return [Text(body=render(language, key, hotel=hotel, **params))]
        case Menu(key=key, options=options):
            return [_menu(language, key, options, hotel=hotel)]
        case TopicList(key=key):
            return _topic_list(ctx, language, key)
        case Fact(topic=topic):
            return _fact(ctx, language, topic)
        case HotelPin():
            return _pin(ctx)
        case Options():
            return [_options(item, language, hotel=hotel)]
    return []


def _say(language: str, item: Say, *, hotel: str) -> str:
    return render(language, item.key, hotel=hotel, **item.params)


def _fit(text: str, limit: int) -> str:
    """Titles have hard limits on WhatsApp; cut long ones (names from a PMS) with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _options(item: Options, language: str, *, hotel: str) -> Buttons | ListMessage:
    body = _say(language, item.body, hotel=hotel)
    described = any(o.description is not None for o in item.options)
    if len(item.options) <= MAX_BUTTONS and not described:
        return Buttons(
            body=body,
            buttons=[
                Button(id=o.id, title=_fit(_say(language, o.title, hotel=hotel), BUTTON_TITLE))
                for o in item.options
            ],
        )
    rows = [
        ListRow(
            id=o.id,
            title=_fit(_say(language, o.title, hotel=hotel), ROW_TITLE),
            description=(
                _fit(_say(language, o.description, hotel=hotel), ROW_DESCRIPTION)
                if o.description is not None
                else None
            ),
        )
        for o in item.options[:MAX_LIST_ROWS]
    ]
    return ListMessage(
        body=body,
        button=_fit(render(language, item.button, hotel=hotel), BUTTON_TITLE),
        sections=[ListSection(rows=rows)],
    )


def _menu(language: str, key: str, options: tuple[str, ...], *, hotel: str) -> Buttons:
    return Buttons(
        body=render(language, key, hotel=hotel),
        buttons=[
            Button(id=f"menu:{option}", title=render(language, f"menu.{option}"))
            for option in options[:3]
        ],
    )


def _topic_list(ctx: TurnContext, language: str, key: str) -> list[Reply]:
    answered = set(hotel_profile.topics_answered(ctx.property.profile)) & set(TOPICS)
    topics = [t for t in LIST_ORDER if t in answered][:MAX_LIST_ROWS]
    if not topics:
        return [Text(body=render(language, "faq.missing"))]
    rows = [ListRow(id=f"faq:{t}", title=render(language, f"topic.{t}")) for t in topics]
    return [
        ListMessage(
            body=render(language, key, hotel=ctx.property.name),
            button=render(language, "topics.button"),
            sections=[ListSection(rows=rows)],
        )
    ]


def _fact(ctx: TurnContext, language: str, topic: str) -> list[Reply]:
    text = hotel_profile.answer(
        ctx.property.profile, topic, language, default_language=ctx.property.default_language
    )
    if text is None:
        return [Text(body=render(language, "faq.missing"))]
    replies: list[Reply] = [Text(body=text)]
    if topic == "location":
        replies += _pin(ctx)
    return replies


def _pin(ctx: TurnContext) -> list[Reply]:
    geo = hotel_profile.hotel_geo(ctx.property.profile)
    if geo is None:
        return []
    return [
        Location(
            latitude=geo[0],
            longitude=geo[1],
            name=ctx.property.name,
            address=hotel_profile.hotel_address(ctx.property.profile),
        )
    ]
