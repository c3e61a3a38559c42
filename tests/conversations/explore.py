"""Talk to the whole product from the shell, to see what a script should expect.

    .venv/bin/python -m tests.conversations.explore "Hola" "tap:menu:book" "{today+5:%d/%m}"

Each argument is one guest message (`tap:<id or title>` taps a choice of the last reply,
`tap:N` the N-th choice offered); prints every bot reply with its choices. A single argument
ending in `.yaml` plays that script's `given` and turns instead (no checks), to see what its
expectations should say. Uses throw-away SQLite files.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
import tempfile
from pathlib import Path

import yaml

from hotelbot.kit.db import create_engine, create_sessionmaker, session_scope
from hotelbot.migrate import upgrade
from hotelbot.pms import migrate as pms_migrate
from hotelbot.pms.adapters.builtin import demo
from hotelbot.settings import CryptoSettings, DbSettings, Settings, WhatsAppSettings
from tests.conftest import TEST_BLIND_KEY, TEST_FIELD_KEYS
from tests.conversations.harness import (
    BotReply,
    Script,
    create_given,
    find_choice,
    open_stack,
    render,
)

GUEST = "447700900123"


def show(replies: list[BotReply]) -> None:
    for reply in replies:
        print("  <" + reply.kind + "> " + reply.body.replace("\n", "\n    "))
        for choice in reply.choices:
            print(f"      [{choice.id}] {choice.title} {choice.description}")


async def main(messages: list[str]) -> None:
    directory = Path(tempfile.mkdtemp(prefix="hotelbot-explore-"))
    chat_url = f"sqlite+aiosqlite:///{directory / 'chat.db'}"
    pms_url = f"sqlite+aiosqlite:///{directory / 'pms.db'}"
    chat_engine = create_engine(chat_url)
    await upgrade(chat_engine)
    await chat_engine.dispose()
    pms_engine = create_engine(pms_url)
    await pms_migrate.upgrade(pms_engine)
    pms_sessionmaker = create_sessionmaker(pms_engine)
    async with session_scope(pms_sessionmaker) as session:
        await demo.ensure_demo_hotel(session, now=dt.datetime.now(dt.UTC))
    settings = Settings(
        data_dir=directory,
        db=DbSettings(url=chat_url),
        whatsapp=WhatsAppSettings(sandbox=True),
        crypto=CryptoSettings(field_keys=TEST_FIELD_KEYS, blind_index_key=TEST_BLIND_KEY),
    )
    async with open_stack(settings, pms_sessionmaker) as stack:
        previous: list[BotReply] = []
        refs: dict[str, str] = {}
        if len(messages) == 1 and messages[0].endswith(".yaml"):
            path = Path(messages[0])
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            script = Script.model_validate({"name": path.stem} | data)
            refs = await create_given(stack, script)
            print(f"given: {refs}")
            messages = [t.say if t.say is not None else f"tap:{t.tap}" for t in script.turns]
        for message in messages:
            if message.startswith("tap:"):
                wanted = message[4:].lstrip("#")
                if wanted.isdigit():  # by position among the last offered choices
                    wanted = [c for r in previous for c in r.choices][int(wanted)].id
                key, choice = find_choice(previous, render(wanted, refs))
                body = {key: choice.id}
            else:
                body = {"text": render(message, refs)}
            print(f"> {body}", flush=True)
            replies = await stack.send(GUEST, body)
            show(replies)
            previous = replies or previous
    await pms_engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
