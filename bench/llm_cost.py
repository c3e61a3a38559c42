"""Tokens and estimated cost per conversation on the LLM path, measured on the conversation
scripts (`tests/conversations/scripts/`) through the sandbox's OpenAI-compatible server.

Every script is played once, by a new guest, through the whole product (webhook → worker →
engine → the real `openai` SDK → the sandbox model on a loopback port → PMS → Graph sandbox).
The sandbox model abstains (it reads nothing and says nothing), so the offline engine still
answers: what is measured is what the engine SENDS — the prompts (system prompt, hotel facts,
tool schemas, redacted history) and the number of calls per turn — with the sandbox's token
estimate (4 characters a token). Completion tokens of a real model come on top; the table
prices them at an assumed 60 tokens per reply call.

    .venv/bin/python bench/llm_cost.py [--output docs/llm.md]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from tests.conftest import TEST_BLIND_KEY, TEST_FIELD_KEYS  # noqa: E402
from tests.conversations.harness import (  # noqa: E402
    BotReply,
    Script,
    Stack,
    create_given,
    find_choice,
    load_scripts,
    open_stack,
    render,
)
from tests.llm_server import free_port  # noqa: E402

from hotelbot.kit.db import create_engine, create_sessionmaker, session_scope  # noqa: E402
from hotelbot.kit.logging import configure_logging  # noqa: E402
from hotelbot.migrate import upgrade  # noqa: E402
from hotelbot.models import Conversation, Guest, LlmUsage  # noqa: E402
from hotelbot.pms import migrate as pms_migrate  # noqa: E402
from hotelbot.pms.adapters.builtin import demo  # noqa: E402
from hotelbot.sandbox.openai_api import create_openai_sandbox_app  # noqa: E402
from hotelbot.settings import (  # noqa: E402
    CryptoSettings,
    DbSettings,
    LlmProviderKind,
    LlmSettings,
    Settings,
    WhatsAppSettings,
)

MARK_START = "<!-- bench:llm:start -->"
MARK_END = "<!-- bench:llm:end -->"
#: USD per million tokens (input, output), OpenAI's list prices when this was written.
PRICES = {"gpt-4o-mini": (0.15, 0.60), "gpt-4o": (2.50, 10.00)}
REPLY_TOKENS = 60


def serve_model() -> str:
    port = free_port()
    config = uvicorn.Config(
        create_openai_sandbox_app(), host="127.0.0.1", port=port, log_level="warning",
        lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return f"http://127.0.0.1:{port}/sandbox/openai/v1"


async def play(stack: Stack, script: Script, guest: str) -> int:
    script = script.model_copy(update={"guest": guest, "name": f"{script.name}-{guest}"})
    refs = await create_given(stack, script)
    previous: list[BotReply] = []
    for turn in script.turns:
        if turn.say is not None:
            body: dict[str, Any] = {"text": render(turn.say, refs)}
        else:
            assert turn.tap is not None
            key, choice = find_choice(previous, render(turn.tap, refs))
            body = {key: choice.id}
        previous = await stack.send(guest, body) or previous
    return len(script.turns)


async def usage_of(stack: Stack, guest: str) -> tuple[int, int, int]:
    """(calls, prompt tokens, completion tokens) of this guest's conversation."""
    async with session_scope(stack.resources.sessionmaker) as session:
        guest_ids = [
            g.id
            for g in (await session.execute(select(Guest))).scalars()
            if "".join(c for c in g.phone if c.isdigit()) == guest
        ]
        query = (
            select(
                func.coalesce(func.sum(LlmUsage.calls), 0),
                func.coalesce(func.sum(LlmUsage.prompt_tokens), 0),
                func.coalesce(func.sum(LlmUsage.completion_tokens), 0),
            )
            .join(Conversation, Conversation.id == LlmUsage.conversation_id)
            .where(Conversation.guest_id.in_(guest_ids))
        )
        calls, prompt, completion = (await session.execute(query)).one()
    return int(calls), int(prompt), int(completion)


async def run() -> list[dict[str, Any]]:
    directory = Path(tempfile.mkdtemp(prefix="hotelbot-bench-llm-"))
    chat_url = f"sqlite+aiosqlite:///{directory / 'chat.db'}"
    chat_engine = create_engine(chat_url)
    await upgrade(chat_engine)
    await chat_engine.dispose()
    pms_engine = create_engine(f"sqlite+aiosqlite:///{directory / 'pms.db'}")
    await pms_migrate.upgrade(pms_engine)
    pms_sessionmaker = create_sessionmaker(pms_engine)
    async with session_scope(pms_sessionmaker) as session:
        await demo.ensure_demo_hotel(session, now=dt.datetime.now(dt.UTC))
    settings = Settings(
        data_dir=directory,
        db=DbSettings(url=chat_url),
        whatsapp=WhatsAppSettings(sandbox=True),
        crypto=CryptoSettings(field_keys=TEST_FIELD_KEYS, blind_index_key=TEST_BLIND_KEY),
        llm=LlmSettings(
            provider=LlmProviderKind.OPENAI,
            base_url=serve_model(),
            api_key="sk-bench",
            timeout_seconds=30,
            turn_budget_seconds=60,
        ),
    )
    rows = []
    async with open_stack(settings, pms_sessionmaker) as stack:
        for n, script in enumerate(load_scripts()):
            guest = f"3519300{n:05d}"
            turns = await play(stack, script, guest)
            calls, prompt, _ = await usage_of(stack, guest)
            rows.append({"script": script.name, "turns": turns, "calls": calls, "prompt": prompt})
    await pms_engine.dispose()
    return rows


def cost(prompt: float, completion: float, model: str) -> Decimal:
    into, out = PRICES[model]
    return Decimal(str((prompt * into + completion * out) / 1_000_000)).quantize(Decimal("0.00001"))


def section(rows: list[dict[str, Any]]) -> str:
    per = {k: [r[k] for r in rows] for k in ("turns", "calls", "prompt")}
    mean = {k: statistics.mean(v) for k, v in per.items()}
    p90 = {k: sorted(v)[int(0.9 * (len(v) - 1))] for k, v in per.items()}
    lines = [
        f"Measured {dt.date.today().isoformat()} with `.venv/bin/python bench/llm_cost.py` on "
        f"{len(rows)} conversation scripts (prompt tokens by the sandbox's 4-characters-a-token "
        f"estimate; completion assumed {REPLY_TOKENS} tokens per model call).",
        "",
        "| per conversation | turns | model calls | prompt tokens | completion tokens (assumed) "
        "| gpt-4o-mini USD | gpt-4o USD |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, figures in (("mean", mean), ("p90", p90)):
        completion = figures["calls"] * REPLY_TOKENS
        lines.append(
            f"| {label} | {figures['turns']:.1f} | {figures['calls']:.1f} | "
            f"{figures['prompt']:,.0f} | {completion:,.0f} | "
            f"{cost(figures['prompt'], completion, 'gpt-4o-mini')} | "
            f"{cost(figures['prompt'], completion, 'gpt-4o')} |"
        )
    return "\n".join(lines)


def write_section(path: Path, text: str) -> None:
    content = path.read_text(encoding="utf-8")
    start, end = content.index(MARK_START), content.index(MARK_END)
    path.write_text(content[: start + len(MARK_START)] + "\n" + text + "\n" + content[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    configure_logging(level="WARNING")
    rows = asyncio.run(run())
    text = section(rows)
    print(text)
    if args.output:
        write_section(args.output, text)


if __name__ == "__main__":
    main()
