"""Hostile input: no text makes understanding slow, and a slow turn never stalls the event loop.

Each analysis step is fed texts of adversarial shapes at two sizes, sixteen times apart: linear
work grows about 16-fold (a few times more where a text outgrows a CPU cache), work that grows
with the square of the input (the regexes that once froze the process for minutes on a 900 KB
message) about 256-fold. The bound sits between, far from both, so a busy machine's timer noise
cannot cross it. Timings are the best of three runs,
and steps too fast to measure at the larger size are not judged.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from hotelbot.engine.inbound import TEXT_LIMITS
from hotelbot.engine.state import ConversationState
from hotelbot.engine.turn import OVER_BUDGET, handle_turn
from hotelbot.engine.understand import MAX_TURN_CHARS, read_burst
from hotelbot.engine.understand.classifier import classify
from hotelbot.engine.understand.faq import FaqMatch
from hotelbot.engine.understand.faq_keywords import KeywordFaqMatcher
from hotelbot.engine.understand.intents import classify_exact, classify_opt
from hotelbot.engine.understand.language import detect_language
from hotelbot.engine.understand.slots import extract_slots
from hotelbot.kit.redact import redact_card_details
from tests.engine.conftest import make_ctx, message, text

TODAY = date(2027, 3, 4)
LANGUAGES = ("en", "es", "de", "fr", "it", "pt")

#: Shapes that drove a pattern quadratic before: long runs with no match, separators that give
#: a word boundary at every other character, codes, dates, e-mail fragments, emoji, scripts.
SHAPES: dict[str, str] = {
    "letters": "a",
    "spaces": " ",
    "digits": "1",
    "words": "a ",
    "digits-dashes": "1-",
    "letter-digit": "a1",
    "codes": "AB12-",
    "at-signs": "a@",
    "apostrophes": "a'",
    "decimals": "1.",
    "dates": "12/03 ",
    "ages": "1, ",
    "emoji": "😀",
    "mixed-scripts": "hé Ωλ мир 日本 ١٢ ",
    "booking": "book 2 rooms from 3 to 5 may for 2 adults ",
}

STEPS: dict[str, Callable[[str], Any]] = {
    "detect_language": lambda t: detect_language(
        t, allowed=LANGUAGES, known=None, likely=None, default="en"
    ),
    "classify": lambda t: classify(t, language="es", today=TODAY),
    "extract_slots": lambda t: extract_slots(t, language="en", today=TODAY),
    "classify_opt": classify_opt,
    "classify_exact": classify_exact,
    "keyword_faq": lambda t: KeywordFaqMatcher().match(t, language="fr"),
    "redact_card_details": redact_card_details,
}

SMALL, LARGE = 2_000, 32_000
#: Linear work grows 16x from SMALL to LARGE, quadratic 256x.
MAX_GROWTH = 100.0
#: Below this, at LARGE, timer noise outweighs any trend.
MEASURABLE_SECONDS = 0.02


def _shaped(shape: str, size: int) -> str:
    return (shape * (size // len(shape) + 1))[:size]


def _best_of(step: Callable[[str], Any], text: str, runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        step(text)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("step_name", sorted(STEPS))
def test_each_understanding_step_is_linear_in_its_input(step_name: str) -> None:
    step = STEPS[step_name]
    step("warm up")
    superlinear = {}
    for shape_name, shape in SHAPES.items():
        large = _best_of(step, _shaped(shape, LARGE))
        if large < MEASURABLE_SECONDS:
            continue
        growth = large / max(_best_of(step, _shaped(shape, SMALL)), 1e-6)
        if growth > MAX_GROWTH:
            superlinear[shape_name] = round(growth, 1)
    assert superlinear == {}, f"{step_name} grows faster than linear on {superlinear}"


@pytest.mark.parametrize("shape_name", sorted(SHAPES))
async def test_a_megabyte_message_of_any_shape_is_understood_from_its_bounded_start(
    shape_name: str,
) -> None:
    huge = _shaped(SHAPES[shape_name], 1_000_000)
    inbound = text(huge)
    assert len(inbound.text) == TEXT_LIMITS["text"]
    ctx = replace(make_ctx(), turn_budget_seconds=60.0)
    started = time.perf_counter()
    result = await handle_turn(ctx, None, [inbound])
    # Generous: the bounded turn takes well under a second; a quadratic path takes minutes.
    assert time.perf_counter() - started < 30
    assert result.replies, "the guest gets an answer"


def test_every_field_a_guest_controls_is_cut_before_the_engine_reads_it() -> None:
    huge = "x" * 1_000_000
    for kind, limit in TEXT_LIMITS.items():
        assert len(message(kind, text=huge).text) == limit
    assert len(message("choice", text="ok", choice_id=huge).choice_id or "") == 256


def test_a_burst_is_analysed_up_to_its_budget_of_characters_newest_kept() -> None:
    burst = [text("x" * 4000) for _ in range(5)] + [text("what time is check-in?")]
    understanding = read_burst(make_ctx(), ConversationState(), burst)
    assert len(understanding.text) <= MAX_TURN_CHARS
    assert understanding.text.endswith("what time is check-in?")
    assert understanding.faq_topics[:1] == ("checkin_time",)


class SlowMatcher:
    """FAQ matching that burns CPU in Python for `seconds` (as a heavy model would)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def match(self, text: str, *, language: str) -> list[FaqMatch]:
        deadline = time.perf_counter() + self.seconds
        spins = 0
        while time.perf_counter() < deadline:
            spins += 1
        return []


async def _heartbeat(stop: asyncio.Event, gaps: list[float], every: float = 0.01) -> None:
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(every)
        now = time.perf_counter()
        gaps.append(now - last - every)
        last = now


async def test_a_slow_turn_leaves_the_event_loop_free() -> None:
    ctx = replace(make_ctx(), faq_matcher=SlowMatcher(1.5), turn_budget_seconds=30.0)
    stop, gaps = asyncio.Event(), []
    beat = asyncio.create_task(_heartbeat(stop, gaps))
    result = await handle_turn(ctx, None, [text("what time is check-in?")])
    stop.set()
    await beat
    assert result.replies
    assert len(gaps) > 50, "the loop kept running while the turn thought"
    assert max(gaps) < 0.1, f"the loop stalled for {max(gaps):.3f} s"


async def test_a_turn_over_budget_gets_a_polite_fallback_in_the_guests_language() -> None:
    ctx = replace(
        make_ctx(guest_language="es"), faq_matcher=SlowMatcher(2.0), turn_budget_seconds=0.2
    )
    state = ConversationState(language="es")
    result = await handle_turn(ctx, state, [text("¿a qué hora es el check-in?")])
    assert result.flow == OVER_BUDGET
    assert [r.body for r in result.replies] == [  # type: ignore[union-attr]
        "Lo siento, no he podido procesar ese mensaje a tiempo. ¿Puedes enviarlo de nuevo en "
        "pocas palabras? También puedes pedir hablar con nuestro equipo."
    ]
    assert result.state == state.to_json(), "nothing of the turn is kept"
