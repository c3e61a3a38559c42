"""Texts per language, and decisions rendered into valid replies from texts and the profile."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from hotelbot.engine.compose import compose
from hotelbot.engine.decision import Decision, Fact, HotelPin, Menu, Say, TopicList
from hotelbot.engine.replies import Buttons, ListMessage, Location, Text
from hotelbot.engine.texts import LANGUAGES, placeholders, render, texts_for
from hotelbot.property.demo import DEMO_NAME, DEMO_PROFILE
from tests.engine.conftest import make_ctx


#: Every placeholder a text may use; compose always supplies these.
def _raw(language: str) -> dict[str, str]:
    files = resources.files("hotelbot.engine.texts")
    return dict(json.loads(files.joinpath(f"{language}.json").read_text(encoding="utf-8")))


def test_every_language_file_has_the_same_keys_and_placeholders() -> None:
    english = _raw("en")
    for language in LANGUAGES:
        texts = _raw(language)
        assert set(texts) == set(english), language
        for key, template in texts.items():
            assert placeholders(template) == placeholders(english[key]), (language, key)
            assert all(p.isidentifier() for p in placeholders(template)), (language, key)
            assert template.strip()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_renders_and_menus_fit_whatsapp_limits(language: str) -> None:
    ctx = make_ctx()
    # Flow texts take values from tool results ({total}, {reference}...): any value will do.
    speech = [
        Say(key, {p: "1" for p in placeholders(template) - {"hotel"}})
        for key, template in texts_for(language).items()
        if not key.startswith(("menu.", "topic"))
    ]
    decision = Decision("test", language, [*speech, Menu("greeting.body"), TopicList(), HotelPin()])
    replies = compose(ctx, decision)  # pydantic enforces the WhatsApp limits on construction
    texts = [r for r in replies if isinstance(r, Text)]
    assert len(texts) == len(speech)
    for item, reply in zip(speech, texts, strict=True):
        assert "{" not in reply.body
        if "{hotel}" in texts_for(language)[item.key]:
            assert DEMO_NAME in reply.body
    menu = next(r for r in replies if isinstance(r, Buttons))
    assert [b.title for b in menu.buttons] == [
        render(language, f"menu.{o}") for o in ("info", "book", "human")
    ]
    topic_list = next(r for r in replies if isinstance(r, ListMessage))
    assert len(topic_list.sections[0].rows) == 10


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_fact_comes_from_the_profile_in_the_guests_language(language: str) -> None:
    replies = compose(make_ctx(), Decision("faq", language, [Fact("breakfast")]))
    assert replies == [Text(body=DEMO_PROFILE["faq"]["breakfast"][language])]


def test_a_fact_missing_in_the_guests_language_falls_back_to_english() -> None:
    profile = {"faq": {"parking": {"en": "Street parking only.", "de": ""}}}
    replies = compose(make_ctx(profile=profile), Decision("faq", "de", [Fact("parking")]))
    assert replies == [Text(body="Street parking only.")]


def test_a_plain_string_answer_is_used_for_every_language() -> None:
    profile = {"faq": {"wifi": "Free Wi-Fi everywhere."}}
    replies = compose(make_ctx(profile=profile), Decision("faq", "it", [Fact("wifi")]))
    assert replies == [Text(body="Free Wi-Fi everywhere.")]


def test_a_topic_the_profile_lacks_says_so_instead_of_inventing() -> None:
    replies = compose(make_ctx(profile={}), Decision("faq", "fr", [Fact("pool")]))
    assert replies == [Text(body=render("fr", "faq.missing"))]


def test_location_comes_with_the_hotels_pin() -> None:
    replies = compose(make_ctx(), Decision("faq", "en", [Fact("location")]))
    pin = replies[1]
    assert isinstance(pin, Location)
    assert (pin.latitude, pin.longitude) == (
        DEMO_PROFILE["geo"]["latitude"],
        DEMO_PROFILE["geo"]["longitude"],
    )
    assert pin.address == DEMO_PROFILE["address"]


def test_the_topic_list_offers_only_topics_the_profile_answers() -> None:
    profile = {"faq": {"wifi": {"en": "Free."}, "gym": {"en": "24h."}}}
    replies = compose(make_ctx(profile=profile), Decision("faq", "en", [TopicList()]))
    (topic_list,) = replies
    assert isinstance(topic_list, ListMessage)
    assert [row.id for row in topic_list.sections[0].rows] == ["faq:wifi", "faq:gym"]
