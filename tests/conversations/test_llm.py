"""The LLM path end to end: webhook → worker → engine → the real `openai` SDK → the sandbox's
OpenAI-compatible server on a loopback port → tools → PMS → reply through the Graph sandbox.

With a scripted model that books through tool calls, the booking lands in the PMS and the guest
sees the PMS's reference; with the model down, slow or answering garbage, the same conversation
completes on the offline engine."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot.kit.db import create_sessionmaker
from hotelbot.models import LlmUsage
from hotelbot.sandbox.openai_model import Garbage, Reply, ScriptedModel, Slow
from hotelbot.settings import LlmProviderKind, LlmSettings, Settings
from tests.conversations.harness import (
    Stack,
    _reservations_of,
    hotel_today,
    load_scripts,
    open_stack,
    play,
)
from tests.llm_server import OpenAiServer

GUEST = "447700900123"
StackFactory = Callable[[str], Any]


def llm_settings(base_url: str, **overrides: Any) -> LlmSettings:
    options: dict[str, Any] = {
        "provider": LlmProviderKind.OPENAI,
        "base_url": base_url,
        "api_key": "sk-test-key",
        "timeout_seconds": 0.5,
        "max_retries": 1,
        "turn_budget_seconds": 3.0,
    }
    return LlmSettings(**(options | overrides))


@pytest.fixture
async def llm_stack(
    settings: Settings, engine: AsyncEngine, conversation_pms_engine: AsyncEngine
) -> AsyncIterator[Callable[[LlmSettings], Any]]:
    """Open the whole product with the given `llm` settings (one stack per test)."""
    opened: list[Any] = []

    async def open_with(llm: LlmSettings) -> Stack:
        settings.llm = llm
        context = open_stack(settings, create_sessionmaker(conversation_pms_engine))
        opened.append(context)
        return await context.__aenter__()

    yield open_with
    for context in reversed(opened):
        await context.__aexit__(None, None, None)


def _last_tool_result(request: dict[str, Any]) -> Any:
    tool = [m for m in request["messages"] if m["role"] == "tool"][-1]
    return json.loads(tool["content"])


def _reading(**fields: Any) -> Reply:
    return Reply(content=json.dumps({"language": "en", "confidence": 0.95} | fields))


async def test_a_conversation_books_a_room_through_tool_calls(
    llm_stack: Callable[[LlmSettings], Any],
    openai_server: OpenAiServer,
    openai_model: ScriptedModel,
) -> None:
    stack: Stack = await llm_stack(
        llm_settings(openai_server.base_url, timeout_seconds=20.0, turn_budget_seconds=40.0)
    )
    check_in = hotel_today() + dt.timedelta(days=20)
    check_out = check_in + dt.timedelta(days=3)
    stay = {"check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "adults": 2}
    chosen: dict[str, Any] = {}

    def offer(request: dict[str, Any]) -> Reply:
        first = _last_tool_result(request)["offers"][0]
        chosen.update(first)
        return Reply(
            content=f"The {first['room_type_name']} is free from {stay['check_in']} to "
            f"{stay['check_out']}: {first['total']} {first['currency']} in total. Book it?"
        )

    def book(request: dict[str, Any]) -> Reply:
        args = stay | {
            "room_type_code": chosen["room_type_code"],
            "rate_plan_code": chosen["rate_plan_code"],
            "first_name": "Ana",
            "last_name": "Sousa",
        }
        return Reply(tool_calls=(("book_room", args),))

    def confirm(request: dict[str, Any]) -> Reply:
        made = _last_tool_result(request)
        return Reply(
            content=f"All set, Ana! Reference {made['reference']}, {made['check_in']} to "
            f"{made['check_out']}, {made['total']} {made['currency']}."
        )

    openai_model.script(
        _reading(intent="book", **stay),
        Reply(tool_calls=(("check_availability", stay),)),
        offer,
        _reading(intent="affirm"),
        book,
        confirm,
    )
    first = await stack.send(GUEST, {"text": "Hi! A double room for 2 adults, 3 nights?"})
    assert [r.kind for r in first] == ["text"]
    assert chosen["total"] in first[0].body
    second = await stack.send(GUEST, {"text": "Yes please, for Ana Sousa"})
    made = await _reservations_of(stack, GUEST)
    assert len(made) == 1
    assert made[0]["guest"]["last_name"] == "Sousa"
    assert made[0]["check_in"] == stay["check_in"]
    assert made[0]["reference"] in second[0].body
    assert openai_model.pending() == 0
    # The model got the tools, never the guest's number; usage was recorded per turn.
    reply_calls = [r for r in openai_model.requests if r.get("tools")]
    assert {t["function"]["name"] for t in reply_calls[0]["tools"]} >= {"book_room", "quote"}
    assert all(GUEST not in json.dumps(r) for r in openai_model.requests)
    async with stack.resources.sessionmaker() as session:
        usage = list((await session.execute(select(LlmUsage))).scalars())
    assert [u.outcome for u in usage] == ["answered", "answered"]
    assert all(u.prompt_tokens > 0 and u.cost_usd > 0 for u in usage)


SCRIPT = next(s for s in load_scripts() if s.name == "booking_next_friday_en")


@pytest.mark.parametrize("failure", ["down", "slow", "garbage"])
async def test_the_same_conversation_completes_offline_when_the_model_fails(
    llm_stack: Callable[[LlmSettings], Any],
    openai_server: OpenAiServer,
    openai_model: ScriptedModel,
    dead_url: str,
    failure: str,
) -> None:
    base_url = dead_url if failure == "down" else openai_server.base_url
    if failure == "slow":
        openai_model.standing = Slow(5.0)
    if failure == "garbage":
        openai_model.standing = Garbage()
    stack: Stack = await llm_stack(llm_settings(base_url))
    await play(stack, SCRIPT)  # the offline engine's exact replies and end state
    if failure != "down":
        assert openai_model.requests, "the model was asked first"


CARD = "4111 1111 1111 1111"


async def test_a_card_number_never_reaches_the_model(
    llm_stack: Callable[[LlmSettings], Any],
    openai_server: OpenAiServer,
    openai_model: ScriptedModel,
) -> None:
    stack: Stack = await llm_stack(
        llm_settings(openai_server.base_url, timeout_seconds=20.0, turn_budget_seconds=40.0)
    )
    openai_model.script(_reading(intent="thanks"), Reply(content="You are welcome!"))
    # The inbox masks the card before storing it; the turn answers that message with the
    # warning alone, so the model is never asked about it.
    await stack.send(GUEST, {"text": f"Book me a room, my card is {CARD} and the CVV is 123"})
    await stack.send(GUEST, {"text": "thanks, and my IBAN is ES91 2100 0418 4502 0005 1332"})
    sent = json.dumps(list(openai_model.requests))
    assert len(openai_model.requests) == 2, "only the second message reached the model"
    for secret in (CARD, CARD.replace(" ", ""), "ES91 2100 0418 4502 0005 1332", "CVV is 123"):
        assert secret not in sent
    assert "[iban]" in sent  # the model still knows something was said
    metrics = (await stack.client.get("/metrics")).text
    assert CARD.replace(" ", "") not in metrics and CARD not in metrics


async def test_over_the_daily_budget_the_offline_engine_answers(
    llm_stack: Callable[[LlmSettings], Any],
    openai_server: OpenAiServer,
    openai_model: ScriptedModel,
) -> None:
    # One turn costs more than this budget: the second turn never calls the model.
    stack: Stack = await llm_stack(
        llm_settings(openai_server.base_url, timeout_seconds=20.0, daily_budget_usd=0.000001)
    )
    await stack.send(GUEST, {"text": "Hello!"})
    asked = len(openai_model.requests)
    assert asked > 0
    replies = await stack.send(GUEST, {"text": "What time is breakfast?"})
    assert replies and "07:00" in replies[0].body
    assert len(openai_model.requests) == asked
