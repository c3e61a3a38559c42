"""The phrase banks become guest-style training messages, the same ones on every run."""

from __future__ import annotations

import random
from pathlib import Path

from hotelbot.engine.understand.intent_model import INTENTS, SERVICES, TOPICS
from hotelbot.training.phrases import LANGUAGES, generate, generate_all, guest_style, read_bank

BANKS = Path(__file__).parents[2] / "eval" / "phrases"


def test_every_language_bank_covers_every_intent_topic_and_service() -> None:
    for lang in LANGUAGES:
        bank = read_bank(BANKS / f"{lang}.txt")
        labels = {key.partition("/")[0] for key in bank.templates}
        assert labels == set(INTENTS), lang
        assert {k.split("/")[1] for k in bank.templates if k.startswith("faq/")} == set(TOPICS)
        assert {k.split("/")[1] for k in bank.templates if k.startswith("service_request/")} == set(
            SERVICES
        )


def test_holes_are_filled_and_generation_is_seeded(tmp_path: Path) -> None:
    bank_file = tmp_path / "en.txt"
    bank_file.write_text("[book]\nroom for {party} {when}\n{party}\n2 adults\n{when}\ntonight\n")
    bank = read_bank(bank_file)
    first = generate(bank, "en", per_template=3, seed=1)
    assert first == generate(bank, "en", per_template=3, seed=1)
    assert all("{" not in ex.text and ex.intent == "book" for ex in first)
    assert all("2 adults" in ex.text or "adul" in ex.text for ex in first)


def test_guest_style_writes_like_a_phone_keyboard() -> None:
    rng = random.Random(3)
    styled = {guest_style("¿Qué hora es el desayuno?", "es", "faq", rng) for _ in range(200)}
    assert "que hora es el desayuno" in {s.strip("?¿ ") for s in styled}  # no accents, no caps
    assert any(s.startswith(("hola", "buenas", "oye")) for s in styled)  # a greeting in front
    assert len(styled) > 20


def test_the_banks_give_thousands_of_messages_in_six_languages() -> None:
    examples = generate_all(BANKS, per_template=3, seed=9)
    assert len(examples) > 3500
    assert {ex.lang for ex in examples} == set(LANGUAGES)
