"""Webhook acknowledgement benchmark: throughput and p50/p99 of signed text deliveries.

Run by hand with `make bench`. Each target is served by uvicorn in its own subprocess; the load
comes from another subprocess (a raw asyncio HTTP/1.1 client with keep-alive connections, so the
generator costs far less CPU than the server it measures). Targets, in one run:

- `bare-asgi`: an ASGI callable that reads the body and answers 200 — the ceiling.
- `bare-fastapi`: the same through a FastAPI route.
- `hotelbot-sqlite`, `hotelbot-postgres`: `create_api_app` over real resources; every delivery
  is verified, parsed, stored and committed; the queue only records the wake-up calls.

Every delivery carries a new wamid (no duplicate shortcut) from one of 1,000 guests. Two runs
per target: closed loop at fixed concurrency for throughput, and open loop at a fixed rate
(default 250/s) for latency, measured from each request's scheduled send time so a stalled
server cannot hide its queueing (no coordinated omission).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

HOST = "127.0.0.1"
APP_SECRET = "bench-app-secret"
PHONE_NUMBER_ID = "100200300400500"
GUESTS = 1000
POSTGRES_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
TARGETS = ("bare-asgi", "bare-fastapi", "hotelbot-sqlite", "hotelbot-postgres")
MARK_START = "<!-- bench:webhook:start -->"
MARK_END = "<!-- bench:webhook:end -->"


# ---------------------------------------------------------------- deliveries


def delivery_body(n: int, run: str) -> bytes:
    """A text-message webhook envelope shaped like Meta's, with our own values."""
    guest = f"4915{(n % GUESTS):09d}"
    envelope = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "300400500600700",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550142",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            "contacts": [
                                {"profile": {"name": f"Gast {n % GUESTS}"}, "wa_id": guest}
                            ],
                            "messages": [
                                {
                                    "from": guest,
                                    "id": f"wamid.bench.{run}.{n}",
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": "Hallo! Ist das Frühstück inklusive?"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(envelope, separators=(",", ":")).encode()


def signed_request(body: bytes) -> bytes:
    signature = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    head = (
        f"POST /webhooks/whatsapp HTTP/1.1\r\nHost: {HOST}\r\n"
        f"Content-Type: application/json\r\nX-Hub-Signature-256: sha256={signature}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def request_source(run: str) -> Callable[[], bytes]:
    counter = iter(range(10**9))
    return lambda: signed_request(delivery_body(next(counter), run))


# ---------------------------------------------------------------- load generator


async def read_status(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = 0
    for line in lines[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


@dataclass
class Sample:
    latencies: list[float]
    errors: int
    elapsed: float


async def closed_loop(port: int, concurrency: int, duration: float, run: str) -> Sample:
    """`concurrency` connections, each sending the next request as soon as the last answered."""
    next_request = request_source(run)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration

    async def connection() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(HOST, port)
        while time.perf_counter() < deadline:
            request = next_request()
            started = time.perf_counter()
            writer.write(request)
            status = await read_status(reader)
            latencies.append(time.perf_counter() - started)
            errors += status != 200
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return Sample(latencies, errors, time.perf_counter() - started)


async def open_loop(port: int, rate: float, duration: float, run: str) -> Sample:
    """Send at `rate`/s whatever the server does; latency counts from the scheduled time."""
    next_request = request_source(run)
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    latencies: list[float] = []
    errors = 0

    async def one(scheduled: float) -> None:
        nonlocal errors
        request = next_request()
        conn = idle.pop() if idle else await asyncio.open_connection(HOST, port)
        try:
            conn[1].write(request)
            status = await read_status(conn[0])
        except (asyncio.IncompleteReadError, ConnectionError):
            # A pooled connection the server closed after its keep-alive timeout (5 s in
            # uvicorn) while a burst's extra connections sat idle: resend on a new one, as
            # HTTP clients do. The latency still counts from the scheduled time.
            conn[1].close()
            conn = await asyncio.open_connection(HOST, port)
            conn[1].write(request)
            status = await read_status(conn[0])
        latencies.append(time.perf_counter() - scheduled)
        errors += status != 200
        idle.append(conn)

    start = time.perf_counter()
    tasks = []
    for i in range(int(rate * duration)):
        scheduled = start + i / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(one(scheduled)))
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return Sample(latencies, errors, time.perf_counter() - start)


def load_main(args: argparse.Namespace) -> None:
    """Subprocess entry: run one load and print its raw sample as JSON."""
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    if args.rate:
        sample = asyncio.run(open_loop(args.port, args.rate, args.duration, args.run))
    else:
        sample = asyncio.run(closed_loop(args.port, args.concurrency, args.duration, args.run))
    # Only the summary crosses the process boundary: raw latencies can be megabytes.
    summary = {
        "count": len(sample.latencies),
        "errors": sample.errors,
        "elapsed": sample.elapsed,
        "p50_ms": percentile(sample.latencies, 50),
        "p99_ms": percentile(sample.latencies, 99),
    }
    Path(args.out).write_text(json.dumps(summary))


# ---------------------------------------------------------------- servers


async def bare_asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    body = b'{"status":"ok"}'
    headers = [(b"content-type", b"application/json"), (b"content-length", b"15")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def bare_fastapi() -> Any:
    app = FastAPI()

    @app.post("/webhooks/whatsapp")
    async def receive(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse({"status": "ok"})

    return app


class RecordingQueue:
    """A queue that only counts wake-up calls: the bench measures the webhook, not the worker."""

    def __init__(self) -> None:
        self.enqueued = 0

    async def enqueue(self, job: Any, /, **kwargs: Any) -> None:
        self.enqueued += 1

    async def schedule(self, job: Any, delay_seconds: float, /, **kwargs: Any) -> None:
        self.enqueued += 1

    async def start(self) -> None: ...

    async def work(self, context: Any, stop: asyncio.Event, *, periodic: Any = ()) -> None: ...

    async def stop(self) -> None: ...


def bench_settings(db_url: str, data_dir: Path) -> Any:
    import base64

    from hotelbot.settings import CryptoSettings, DbSettings, Settings, WhatsAppSettings

    return Settings(
        data_dir=data_dir,
        db=DbSettings(url=db_url),
        whatsapp=WhatsAppSettings(sandbox=True, app_secret=APP_SECRET),
        crypto=CryptoSettings(
            field_keys="1:" + base64.b64encode(os.urandom(32)).decode(),
            blind_index_key=base64.b64encode(os.urandom(32)).decode(),
        ),
    )


async def serve_hotelbot(db_url: str, port: int, data_dir: Path) -> None:
    import uvicorn

    from hotelbot import migrate
    from hotelbot.api.app import create_api_app
    from hotelbot.kit.db import session_scope
    from hotelbot.kit.heap import freeze_startup_heap
    from hotelbot.property import service as property_service
    from hotelbot.resources import open_resources

    settings = bench_settings(db_url, data_dir)
    async with open_resources(settings, RecordingQueue()) as resources:
        await migrate.upgrade(resources.engine)
        async with session_scope(resources.sessionmaker) as session:
            await property_service.create_property(
                session,
                slug="bench-hotel",
                name="Hotel Bench",
                phone_number_id=PHONE_NUMBER_ID,
                display_phone_number="15550142",
            )
        config = uvicorn.Config(
            create_api_app(resources), host=HOST, port=port, access_log=False, log_config=None
        )
        freeze_startup_heap()  # as `hotelbot api` does just before serving
        await uvicorn.Server(config).serve()


def serve_main(args: argparse.Namespace) -> None:
    """Subprocess entry: serve one target until terminated."""
    import uvicorn

    if args.target.startswith("hotelbot"):
        from hotelbot.kit.logging import configure_logging

        # Production logging cost (JSON + scrubbing) without the terminal I/O.
        configure_logging("INFO", "json", stream=open(os.devnull, "w"))
        with contextlib.suppress(ImportError):
            import uvloop

            asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        asyncio.run(serve_hotelbot(args.db, args.port, Path(args.data_dir)))
        return
    app = bare_asgi if args.target == "bare-asgi" else bare_fastapi()
    uvicorn.run(app, host=HOST, port=args.port, access_log=False, log_level="warning")


# ---------------------------------------------------------------- orchestration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until_listening(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.2):
            return
        time.sleep(0.1)
    raise RuntimeError("server did not start")


@contextlib.contextmanager
def served(target: str, db_url: str, data_dir: Path) -> Iterator[int]:
    port = free_port()
    command = [sys.executable, __file__, "serve", "--target", target, "--port", str(port)]
    command += ["--db", db_url, "--data-dir", str(data_dir)]
    process = subprocess.Popen(command)
    try:
        wait_until_listening(port, process, timeout=60)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Summary:
    count: int
    errors: int
    elapsed: float
    p50_ms: float
    p99_ms: float


def run_load(
    port: int, run: str, *, duration: float, concurrency: int = 0, rate: float = 0
) -> Summary:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [sys.executable, __file__, "load", "--port", str(port), "--run", run]
        command += ["--duration", str(duration), "--concurrency", str(concurrency)]
        command += ["--rate", str(rate), "--out", out.name]
        subprocess.run(command, check=True)
        return Summary(**json.loads(Path(out.name).read_text()))


@dataclass
class Result:
    target: str
    throughput: float
    p50_ms: float
    p99_ms: float
    errors: int
    fixed_rate: float
    fixed_p50_ms: float
    fixed_p99_ms: float
    fixed_errors: int
    stored: int | None = None
    sent: int | None = None


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] * 1000 if values else float("nan")
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1] * 1000


def measure(target: str, args: argparse.Namespace, db_url: str, data_dir: Path) -> Result:
    run = uuid.uuid4().hex[:8]
    with served(target, db_url, data_dir) as port:
        warm = run_load(port, f"{run}w", duration=args.warmup, concurrency=args.concurrency)
        loop = run_load(port, f"{run}c", duration=args.duration, concurrency=args.concurrency)
        fixed = run_load(port, f"{run}f", duration=args.duration, rate=args.rate)
    result = Result(
        target=target,
        throughput=loop.count / loop.elapsed,
        p50_ms=loop.p50_ms,
        p99_ms=loop.p99_ms,
        errors=loop.errors,
        fixed_rate=args.rate,
        fixed_p50_ms=fixed.p50_ms,
        fixed_p99_ms=fixed.p99_ms,
        fixed_errors=fixed.errors,
    )
    if target.startswith("hotelbot"):
        result.sent = sum(s.count - s.errors for s in (warm, loop, fixed))
        result.stored = asyncio.run(count_messages(db_url))
    print(f"bench: {result}", file=sys.stderr)
    return result


async def count_messages(db_url: str) -> int:
    from sqlalchemy import text

    from hotelbot.kit.db import create_engine

    engine = create_engine(db_url)
    async with engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM messages"))).scalar_one()
    await engine.dispose()
    return int(count)


@contextlib.contextmanager
def database(target: str, workdir: Path) -> Iterator[str]:
    if target != "hotelbot-postgres":
        yield f"sqlite+aiosqlite:///{workdir / f'{target}.db'}"
        return
    from sqlalchemy.engine import make_url

    name = f"hotelbot_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(statement: str) -> None:
    from sqlalchemy import text

    from hotelbot.kit.db import create_engine

    engine = create_engine(POSTGRES_ADMIN_URL)
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(statement))
    await engine.dispose()


# ---------------------------------------------------------------- report


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    python = platform.python_version()
    return f"{os.cpu_count()} cores ({model}), Python {python}, {platform.system()}"


def report(results: list[Result], args: argparse.Namespace, load: tuple[float, float]) -> str:
    bare = next((r.throughput for r in results if r.target == "bare-asgi"), float("nan"))
    fastapi = next((r.throughput for r in results if r.target == "bare-fastapi"), float("nan"))
    rows = [
        "| target | deliveries/s | ratio to bare ASGI | ratio to bare FastAPI | p50 ms | p99 ms | "
        f"errors | p50 ms @ {args.rate:g}/s | p99 ms @ {args.rate:g}/s | stored / acknowledged |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        stored = f"{r.stored} / {r.sent}" if r.stored is not None else "—"
        rows.append(
            f"| {r.target} | {r.throughput:,.0f} | {r.throughput / bare:.2f} | "
            f"{r.throughput / fastapi:.2f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
            f"{r.errors + r.fixed_errors} | {r.fixed_p50_ms:.1f} | {r.fixed_p99_ms:.1f} | "
            f"{stored} |"
        )
    command = "make bench  # " + " ".join(sys.argv[1:])
    return "\n".join(
        [
            MARK_START,
            "## Webhook acknowledgement",
            "",
            f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"- Machine: {machine()}; server and load generator share it; load average "
            f"(1 min) {load[0]:.2f} at the start, {load[1]:.2f} at the end",
            f"- Command: `{command}`",
            f"- Load: closed loop, {args.concurrency} keep-alive connections, {args.duration:g} s "
            f"after {args.warmup:g} s warm-up; then open loop at {args.rate:g} deliveries/s for "
            f"{args.duration:g} s (latency from scheduled send time)",
            "- Server: one uvicorn process (uvloop, httptools), access log off, JSON logging on, "
            "start-up heap frozen (as `hotelbot api`)",
            "",
            *rows,
            "",
            "Every hotelbot delivery is a new signed text message (new wamid, 1,000 guests): the",
            "signature is checked, the envelope parsed, guest/conversation/message rows written",
            "(phone, name and text encrypted) and committed before the 200. `stored` counts the",
            "message rows after the run (warm-up included); `acknowledged` counts the 200s.",
            MARK_END,
        ]
    )


def write_report(path: Path, section: str) -> None:
    """Replace this benchmark's section in `path`, keeping everything else (other benches)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if MARK_START in text and MARK_END in text:
        before, rest = text.split(MARK_START, 1)
        after = rest.split(MARK_END, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


def bench_main(args: argparse.Namespace) -> None:
    results = []
    load_at_start = os.getloadavg()[0]  # other work on the machine moves every figure
    with tempfile.TemporaryDirectory(prefix="hotelbot-bench-") as tmp:
        for target in args.targets:
            with database(target, Path(tmp)) as db_url:
                results.append(measure(target, args, db_url, Path(tmp)))
    section = report(results, args, (load_at_start, os.getloadavg()[0]))
    print(section)
    if args.output:
        write_report(Path(args.output), section)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve")
    serve.add_argument("--target", choices=TARGETS, required=True)
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--db", default="")
    serve.add_argument("--data-dir", default=tempfile.gettempdir())
    load = sub.add_parser("load")
    load.add_argument("--port", type=int, required=True)
    load.add_argument("--run", required=True)
    load.add_argument("--duration", type=float, required=True)
    load.add_argument("--concurrency", type=int, default=0)
    load.add_argument("--rate", type=float, default=0)
    load.add_argument("--out", required=True)
    parser.add_argument("--targets", nargs="+", choices=TARGETS, default=list(TARGETS))
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=250.0)
    parser.add_argument("--output", default="")
    args = parser.parse_args()
    {"serve": serve_main, "load": load_main}.get(args.command, bench_main)(args)


if __name__ == "__main__":
    main()
