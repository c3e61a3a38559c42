"""Turn latency with the offline engine and the built-in PMS, and memory per worker process.

In-process, as `hotelbot run` assembles it (one ASGI app: webhook, PMS, sandbox; the
in-process worker): every guest message of the conversation scripts in
`tests/conversations/scripts/` is played, by a new guest each round, and timed two ways:

- **engine**: `handle_turn()` alone (understand → flow → PMS tools → compose), the part this
  benchmark is about;
- **end to end**: from the signed webhook POST until the reply was accepted by the sandbox's
  Graph API (webhook, job, DB reads/writes, engine, PMS over HTTP, outbox, Graph send).

Turns are grouped by what their script covers (greeting, faq, booking, manage, service, other).
Memory: RSS of a fresh process that imports the worker and runs a few warm-up turns (what a
`hotelbot worker` holds once warm), and of this whole process after the run.

    .venv/bin/python bench/turn.py [--rounds 3] [--output docs/benchmarks.md]
        [--db postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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
from tests.voice.samples import voice_note  # noqa: E402

from hotelbot.conversation import jobs  # noqa: E402
from hotelbot.kit.db import create_engine, create_sessionmaker, session_scope  # noqa: E402
from hotelbot.kit.logging import configure_logging  # noqa: E402
from hotelbot.migrate import upgrade  # noqa: E402
from hotelbot.pms import migrate as pms_migrate  # noqa: E402
from hotelbot.pms.adapters.builtin import demo  # noqa: E402
from hotelbot.property.demo import DEMO_PROPERTY_ID  # noqa: E402
from hotelbot.settings import (  # noqa: E402
    CryptoSettings,
    DbSettings,
    Settings,
    WhatsAppSettings,
)

#: A script counts in the first family it covers, most specific first; a spoken turn (a voice
#: note: download, transcription, turn, then the text reply and the voice reply) in "voice".
GROUPS = ("voice", "booking", "manage", "service", "faq", "greeting", "other")
MARK_START = "<!-- bench:turn:start -->"
MARK_END = "<!-- bench:turn:end -->"


def group_of(script: Script) -> str:
    """The family a script's turns are counted in: the first of `GROUPS` it covers."""
    families = {c.split(".")[0] for c in script.covers} - {"voice"}
    for name in GROUPS:
        if name in families:
            return name
    return "other"


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def rss_mb(pid: int | str = "self") -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else float("nan")


class EngineTimer:
    """Times `handle_turn` inside the worker's job (the engine alone, no DB, no sends)."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self._original: Callable[..., Awaitable[Any]] = jobs.handle_turn

    def install(self) -> None:
        original = self._original

        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.samples.append(time.perf_counter() - started)

        jobs.handle_turn = timed  # type: ignore[assignment]

    def take(self) -> list[float]:
        taken, self.samples = self.samples, []
        return taken


async def play(stack: Stack, script: Script, guest: str) -> list[tuple[float, int, bool]]:
    """Play a script's guest turns as `guest`; (end-to-end seconds, replies, spoken) per turn."""
    script = script.model_copy(update={"guest": guest, "name": f"{script.name}-{guest}"})
    refs = await create_given(stack, script)
    previous: list[BotReply] = []
    timings = []
    for turn in script.turns:
        if turn.speak is not None:
            note = voice_note(render(turn.speak, refs), script.language, snr_db=turn.noise_db)
            started = time.perf_counter()
            replies = await stack.speak(guest, note, name="Guest")
        else:
            if turn.say is not None:
                body: dict[str, Any] = {"text": render(turn.say, refs)}
            else:
                assert turn.tap is not None
                key, choice = find_choice(previous, render(turn.tap, refs))
                body = {key: choice.id}
            started = time.perf_counter()
            replies = await stack.send(guest, body)
        timings.append((time.perf_counter() - started, len(replies), turn.speak is not None))
        previous = replies or previous
    await _release(stack, guest, refs)
    return timings


#: About ten seconds of espeak-ng speech: a guest's typical voice note.
TEN_SECONDS = (
    "Good evening, we arrive late tonight after a long flight, "
    "so could you tell me what time breakfast is served tomorrow?"
)


async def ten_second_notes(stack: Stack, count: int) -> dict[str, list[float]]:
    """A ~10 s English voice note from new guests: transcription alone, and the whole turn
    (webhook until the text reply and the voice reply were both accepted)."""
    note = voice_note(TEN_SECONDS, "en")
    transcribe = jobs.voice.transcribe_pending
    spent: list[float] = []

    async def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await transcribe(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    jobs.voice.transcribe_pending = timed  # type: ignore[assignment]
    whole = []
    try:
        for n in range(count):
            started = time.perf_counter()
            await stack.speak(f"4477009{n:05d}", note, name="Guest")
            whole.append(time.perf_counter() - started)
    finally:
        jobs.voice.transcribe_pending = transcribe  # type: ignore[assignment]
    return {"transcription": [s for s in spent if s > 0.05], "turn": whole}


async def _release(stack: Stack, guest: str, refs: dict[str, str]) -> None:
    """Cancel what the script booked (and its given bookings) so that rounds after rounds
    do not sell the demo hotel out; a cancellation gives the rooms back."""
    base = f"/properties/{DEMO_PROPERTY_ID}/reservations"
    mine = (await stack.pms_http.get(base, params={"phone": f"+{guest}"})).json()
    references = {r["reference"] for r in mine if r["status"] == "confirmed"} | set(refs.values())
    for reference in references:
        await stack.pms_http.post(f"{base}/{reference}/cancel")


async def _nothing() -> None:
    return None


async def _databases(
    db: str | None, directory: Path
) -> tuple[str, str, Callable[[], Awaitable[None]]]:
    """(chatbot URL, PMS URL, cleanup): SQLite files, or scratch Postgres databases."""
    if not db:
        return (
            f"sqlite+aiosqlite:///{directory / 'chat.db'}",
            f"sqlite+aiosqlite:///{directory / 'pms.db'}",
            _nothing,
        )
    from sqlalchemy.engine import make_url
    from tests.conftest import _create_postgres_database, _drop_postgres_database

    names = [
        f"hotelbot_bench_turn_{uuid.uuid4().hex[:8]}",
        f"hotelbot_bench_pms_{uuid.uuid4().hex[:8]}",
    ]
    for name in names:
        await _create_postgres_database(db, name)

    async def cleanup() -> None:
        for name in names:
            await _drop_postgres_database(db, name)

    urls = [make_url(db).set(database=n).render_as_string(hide_password=False) for n in names]
    return urls[0], urls[1], cleanup


async def run(rounds: int, db: str | None) -> dict[str, Any]:
    directory = Path(tempfile.mkdtemp(prefix="hotelbot-bench-turn-"))
    chat_url, pms_url, cleanup = await _databases(db, directory)
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
    scripts = load_scripts()
    timer = EngineTimer()
    timer.install()
    engine_ms: dict[str, list[float]] = defaultdict(list)
    e2e_ms: dict[str, list[float]] = defaultdict(list)
    async with open_stack(settings, pms_sessionmaker) as stack:
        # Warm-up: one round not counted (models loaded, caches and pools filled).
        for n, script in enumerate(scripts):
            await play(stack, script, f"3519100{n:05d}")
        timer.take()
        warm_rss = rss_mb()
        for r in range(rounds):
            for n, script in enumerate(scripts):
                timings = await play(stack, script, f"35192{r:02d}{n:05d}")
                engines = timer.take()
                for (seconds, _, spoken), engine in zip(timings, engines, strict=False):
                    group = "voice" if spoken else group_of(script)
                    e2e_ms[group].append(seconds)
                    engine_ms[group].append(engine)
        ten = await ten_second_notes(stack, max(3, rounds * 2))
    await pms_engine.dispose()
    await cleanup()
    return {
        "engine": dict(engine_ms),
        "e2e": dict(e2e_ms),
        "scripts": len(scripts),
        "rounds": rounds,
        "process_rss_mb": warm_rss,
        "process_rss_after_mb": rss_mb(),
        "worker_rss_mb": worker_rss(),
        "database": "PostgreSQL" if db else "SQLite",
        "ten_seconds": ten,
        "load": os.getloadavg()[0],
    }


_WORKER_PROBE = """
import asyncio, re, sys, uuid
from pathlib import Path
sys.path.insert(0, {root!r})
import hotelbot.worker.main
from hotelbot.conversation import jobs  # noqa: F401  (registers the jobs, as a worker does)
from hotelbot.engine.turn import handle_turn
from tests.engine.conftest import make_ctx, text

async def main():
    for words in ("Hello", "Wann ist Frühstück?", "¿Tenéis parking?", "Où est l'hôtel ?"):
        await handle_turn(make_ctx(), None, [text(words)])

asyncio.run(main())
status = Path("/proc/self/status").read_text()
print(int(re.search(r"VmRSS:\\s+(\\d+) kB", status).group(1)) / 1024)
"""


def worker_rss() -> float:
    """RSS of a fresh process holding what a worker holds once its engine is warm."""
    probe = _WORKER_PROBE.format(root=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return float(out.stdout.strip().splitlines()[-1])


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| database | turns | engine p50 / p99 ms | end-to-end p50 / p99 ms |",
        "| --- | --- | ---: | ---: |",
    ]
    for res in results:
        for group in (*GROUPS, "all"):
            if group == "all":
                engine = [s for v in res["engine"].values() for s in v]
                e2e = [s for v in res["e2e"].values() for s in v]
            else:
                engine, e2e = res["engine"].get(group, []), res["e2e"].get(group, [])
            if not e2e:
                continue
            lines.append(
                f"| {res['database']} | {group} ({len(e2e)}) "
                f"| {pct(engine, 0.5):.1f} / {pct(engine, 0.99):.1f} "
                f"| {pct(e2e, 0.5):.1f} / {pct(e2e, 0.99):.1f} |"
            )
    return "\n".join(lines)


def section(results: list[dict[str, Any]]) -> str:
    first = results[0]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    memory = "; ".join(
        f"{r['database']}: whole process (API + PMS + sandbox + worker) "
        f"{r['process_rss_mb']:.0f} MB after warm-up, {r['process_rss_after_mb']:.0f} MB at the end"
        for r in results
    )
    return f"""{MARK_START}
## Conversation turns (`bench/turn.py`)

- Date: {now}; machine: {os.cpu_count()} cores, Python {platform.python_version()}, shared
  with other work (read latencies as upper bounds)
- Workload: the {first["scripts"]} conversation scripts of `tests/conversations/scripts/`, each
  played by a new guest, {first["rounds"]} rounds after one warm-up round; a turn is one guest
  message (typed, a tapped button/row, or a voice note), grouped by what its script covers;
  "voice" holds the voice notes (espeak-ng speech of 1-7 s): end-to-end is from the webhook
  until the text reply and the voice reply were both accepted
- engine = `handle_turn()` alone (understand, flow, PMS tools over HTTP to the in-process
  built-in PMS, compose); end-to-end = signed webhook POST until the sandbox accepted the reply
  (webhook, job, DB, engine, outbox, Graph API send), all in one process over ASGI

{table(results)}

{_ten_seconds(first)}

Memory: a fresh worker-like process (imports the worker and its jobs, answers four warm-up
turns in four languages) holds **{first["worker_rss_mb"]:.0f} MB** RSS. {memory}.

Reproduce: `.venv/bin/python bench/turn.py --output docs/benchmarks.md` and
`.venv/bin/python bench/turn.py --db postgresql+asyncpg://postgres@127.0.0.1:5432/postgres`.
{MARK_END}"""


def _ten_seconds(result: dict[str, Any]) -> str:
    ten = result["ten_seconds"]
    transcription, turn = pct(ten["transcription"], 0.5) / 1000, pct(ten["turn"], 0.5) / 1000
    return (
        f"A 10-second voice note (espeak-ng English, {_note_seconds()} s), played "
        f"{len(ten['turn'])} times: transcription p50 **{transcription:.2f} s**, whole turn "
        f"(webhook until the text reply and the voice reply were both accepted) p50 "
        f"**{turn:.2f} s**, max {max(ten['turn']):.2f} s; load average {result['load']:.1f} on "
        f"{os.cpu_count()} cores at the end (aim: under 3 s on an idle 2-core machine)."
    )


def _note_seconds() -> str:
    from hotelbot.voice.audio import decode

    return f"{decode(voice_note(TEN_SECONDS, 'en'), max_seconds=60).duration:.1f}"


def write_section(path: Path, text: str) -> None:
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if MARK_START in current:
        head, rest = current.split(MARK_START, 1)
        tail = rest.split(MARK_END, 1)[1]
        current = head + text + tail
    else:
        current = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(current, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--db",
        action="append",
        default=[],
        help="Postgres admin URL (repeatable); SQLite is always run",
    )
    parser.add_argument("--output", type=Path, help="write the section into this Markdown file")
    args = parser.parse_args()
    configure_logging("WARNING", "console", stream=sys.stderr)
    results = [asyncio.run(run(args.rounds, None))]
    for url in args.db:
        results.append(asyncio.run(run(args.rounds, url)))
    text = section(results)
    print(text)
    if args.output:
        write_section(args.output, text)


if __name__ == "__main__":
    main()
