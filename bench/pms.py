"""PMS benchmark: availability p50/p99 for a 7-night stay (REST and GraphQL) on the built-in
adapter, and bookings per second.

In-process: the real PMS app over `httpx.ASGITransport` (no sockets, so it measures the app,
the service layer, the adapter and the database, not the network). A fresh database is
migrated and seeded with the demo hotel. SQLite by default; `--db postgresql+asyncpg://...`
for Postgres (a scratch database is created and dropped).

    .venv/bin/python bench/pms.py [--requests 300] [--bookings 200] [--concurrency 10]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import platform
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import make_url

from hotelbot.kit.db import create_engine
from hotelbot.pms.adapters.builtin.demo import DEMO_PROPERTY_SLUG
from hotelbot.pms.app import create_pms_app, open_runtime
from hotelbot.settings import CryptoSettings, PmsSettings, Settings, WhatsAppSettings

TOKEN = "bench-token"
QUERY = """query($p: String!, $ci: Date!, $co: Date!) {
  availability(property: $p, check_in: $ci, check_out: $co, occupancy: {adults: 2}) {
    offers { room_type_code rate_plan_code total nights { date amount } } } }"""


def _settings(db_url: str, data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        whatsapp=WhatsAppSettings(sandbox=True),
        crypto=CryptoSettings(
            field_keys=SecretStr("1:" + base64.b64encode(b"b" * 32).decode()),
            blind_index_key=SecretStr(base64.b64encode(b"i" * 32).decode()),
        ),
        pms=PmsSettings(database_url=db_url, token=SecretStr(TOKEN)),
    )


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _latency(client: httpx.AsyncClient, n: int, graphql: bool) -> list[float]:
    today = dt.date.today()
    samples: list[float] = []
    for i in range(n):
        check_in = today + dt.timedelta(days=10 + i % 200)
        check_out = check_in + dt.timedelta(days=7)
        started = time.perf_counter()
        if graphql:
            response = await client.post(
                "/pms/graphql",
                json={"query": QUERY, "variables": {
                    "p": DEMO_PROPERTY_SLUG, "ci": str(check_in), "co": str(check_out)}},
            )  # fmt: skip
        else:
            response = await client.get(
                f"/pms/v1/properties/{DEMO_PROPERTY_SLUG}/availability",
                params={"check_in": str(check_in), "check_out": str(check_out), "adults": 2},
            )
        samples.append(time.perf_counter() - started)
        response.raise_for_status()
    return samples


async def _bookings(client: httpx.AsyncClient, n: int, concurrency: int) -> tuple[float, int]:
    today = dt.date.today()
    rooms = ["STD-DBL", "STD-TWN", "SUP-SEA", "FAM-STE"]
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    booked = 0

    async def worker() -> None:
        nonlocal booked
        while not queue.empty():
            i = queue.get_nowait()
            check_in = today + dt.timedelta(days=5 + i % 300)
            body = {
                "check_in": str(check_in), "check_out": str(check_in + dt.timedelta(days=2)),
                "room_type_code": rooms[i % 4], "rate_plan_code": "NRF",
                "guest": {"first_name": "Bench", "email": f"guest{i}@bench.invalid"},
            }  # fmt: skip
            response = await client.post(
                f"/pms/v1/properties/{DEMO_PROPERTY_SLUG}/reservations",
                json=body,
                headers={"Idempotency-Key": f"bench-{uuid.uuid4().hex}"},
            )
            booked += response.status_code == 201

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return booked / (time.perf_counter() - started), booked


async def _scratch_postgres(url: str) -> tuple[str, str]:
    name = f"hotelbot_pms_bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False), name


async def _drop_postgres(url: str, name: str) -> None:
    engine = create_engine(url)
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db_url, scratch = f"sqlite+aiosqlite:///{tmp}/pms.db", ""
        if args.db:
            db_url, scratch = await _scratch_postgres(args.db)
        settings = _settings(db_url, Path(tmp))
        started = time.perf_counter()
        async with open_runtime(settings) as runtime:
            seeded = time.perf_counter() - started
            app = create_pms_app(settings, runtime=runtime)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://pms.bench",
                headers={"Authorization": f"Bearer {TOKEN}"},
            ) as client:
                await _latency(client, 20, graphql=False)  # warm-up
                rest = await _latency(client, args.requests, graphql=False)
                gql = await _latency(client, args.requests, graphql=True)
                rate, booked = await _bookings(client, args.bookings, args.concurrency)
        if scratch:
            await _drop_postgres(args.db, scratch)
    dialect = "postgres" if args.db else "sqlite"
    print(f"machine: {platform.machine()} {platform.python_version()} db={dialect}")
    print(f"migrate + seed demo hotel: {seeded:.2f}s")
    for name, samples in (("REST", rest), ("GraphQL", gql)):
        mean = statistics.mean(samples) * 1000
        p50, p99 = _pct(samples, 0.5), _pct(samples, 0.99)
        print(
            f"availability 7 nights {name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, mean {mean:.1f} ms"
        )
    print(f"bookings: {rate:.0f}/s ({booked} booked, concurrency {args.concurrency})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--bookings", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--db", default="")
    asyncio.run(main(parser.parse_args()))
