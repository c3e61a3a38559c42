"""The demo hotel: created once, complete in six languages, its number re-pointable."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.engine import profile as hotel_profile
from hotelbot.engine.understand.faq import TOPICS
from hotelbot.engine.understand.language import SUPPORTED
from hotelbot.models import Property
from hotelbot.property.demo import DEMO_PROFILE, ensure_demo_property


async def _count(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Property))).scalar_one()


async def test_demo_property_is_created_once(session: AsyncSession) -> None:
    first = await ensure_demo_property(
        session, phone_number_id="100200300400", display_phone_number="+1 555 0199"
    )
    await session.commit()
    again = await ensure_demo_property(
        session, phone_number_id="100200300400", display_phone_number="+1 555 0199"
    )
    await session.commit()
    assert again.id == first.id
    assert await _count(session) == 1
    assert first.timezone == "Europe/Lisbon"
    assert first.languages == list(SUPPORTED)
    assert first.profile == DEMO_PROFILE


async def test_demo_property_follows_a_new_sandbox_number(session: AsyncSession) -> None:
    await ensure_demo_property(session, phone_number_id="111", display_phone_number="+1 555 0101")
    moved = await ensure_demo_property(
        session, phone_number_id="222", display_phone_number="+1 555 0102"
    )
    assert (moved.phone_number_id, moved.display_phone_number) == ("222", "+1 555 0102")
    assert await _count(session) == 1


def test_demo_profile_answers_every_topic_in_every_language() -> None:
    for topic in TOPICS:
        for language in SUPPORTED:
            answer = DEMO_PROFILE["faq"][topic][language]
            assert answer.strip(), (topic, language)
            assert hotel_profile.answer(DEMO_PROFILE, topic, language) == answer
    assert hotel_profile.hotel_geo(DEMO_PROFILE) is not None


def test_demo_answers_agree_across_languages_on_every_number() -> None:
    # Translations must not drift: the same prices and times appear in every language.
    import re

    for topic, answers in DEMO_PROFILE["faq"].items():
        digits = {lang: sorted(set(re.findall(r"\d+", text))) for lang, text in answers.items()}
        assert len({tuple(d) for d in digits.values()}) == 1, (topic, digits)
