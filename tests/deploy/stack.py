"""Real hotelbot processes on loopback for the deployment tests: `hotelbot api` (with the
sandbox mounted), `hotelbot worker` (its own `/metrics` port) and `hotelbot pms`, on the test's
PostgreSQL database with procrastinate, plus any other program (Prometheus) the test starts.
Every process logs to a file in the test's tmp dir and is stopped with SIGTERM (then SIGKILL).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import TEST_BLIND_KEY, TEST_FIELD_KEYS

ROOT = Path(__file__).resolve().parents[2]
PMS_TOKEN = "deploy-test-pms-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stack:
    """Ports are chosen up front so every process can be told where the others are."""

    def __init__(self, db_url: str, tmp: Path) -> None:
        self.tmp = tmp
        self.api_port, self.worker_port, self.pms_port = free_port(), free_port(), free_port()
        self.env = os.environ | {
            "HOTELBOT_DB__URL": db_url,
            "HOTELBOT_DB__POOL_SIZE": "4",
            "HOTELBOT_DB__MAX_OVERFLOW": "2",
            "HOTELBOT_HOST": "127.0.0.1",
            "HOTELBOT_PORT": str(self.api_port),
            "HOTELBOT_DATA_DIR": str(tmp),
            "HOTELBOT_WHATSAPP__SANDBOX": "true",
            "HOTELBOT_PMS__URL": f"http://127.0.0.1:{self.pms_port}",
            "HOTELBOT_PMS__TOKEN": PMS_TOKEN,
            # The PMS keeps its tables in a file of its own, out of the shared test database.
            "HOTELBOT_PMS__DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'pms.db'}",
            "HOTELBOT_CRYPTO__FIELD_KEYS": TEST_FIELD_KEYS,
            "HOTELBOT_CRYPTO__BLIND_INDEX_KEY": TEST_BLIND_KEY,
            "HOTELBOT_QUEUE__ENGINE": "procrastinate",
            "HOTELBOT_QUEUE__CONCURRENCY": "4",
            "HOTELBOT_QUEUE__BURST_WINDOW_SECONDS": "0.2",
            "HOTELBOT_QUEUE__BACKLOG_INTERVAL_SECONDS": "1",
            "HOTELBOT_OBSERVABILITY__WORKER_METRICS_PORT": str(self.worker_port),
            "HOTELBOT_OBSERVABILITY__LOG_LEVEL": "WARNING",
        }
        self.running: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, argv: list[str], **env: str) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{name}.log").open("ab")
        process = subprocess.Popen(
            argv, cwd=ROOT, env=self.env | env, stdout=log, stderr=subprocess.STDOUT
        )
        self.running.append((name, process))
        return process

    def start_hotelbot(self, command: str, **env: str) -> subprocess.Popen[bytes]:
        return self.start(command, [sys.executable, "-m", "hotelbot", command], **env)

    def start_all(self) -> None:
        self.start_hotelbot("pms", HOTELBOT_PORT=str(self.pms_port))
        self.start_hotelbot("api")
        self.start_hotelbot("worker")

    async def wait_until_up(self, url: str, *, timeout: float = 90.0) -> None:
        """Poll `url` until it answers 200; fail fast when a process has died."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                for name, process in self.running:
                    if process.poll() is not None:
                        raise AssertionError(f"{name} exited: {self.log(name)[-3000:]}")
                try:
                    if (await client.get(url)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"{url} did not come up")
                await asyncio.sleep(0.3)

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for _, process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _, process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
