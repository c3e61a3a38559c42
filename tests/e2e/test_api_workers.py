"""`hotelbot api --workers N`: N server processes on one port, a crashed one replaced, no
delivery refused meanwhile. Several API processes need the PostgreSQL queue; with the
in-process queue the command refuses to start, with a message that says why."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from hotelbot.kit.db import session_scope
from hotelbot.sandbox.meta import envelope, guest_message_value
from hotelbot.settings import SANDBOX_SECRETS
from hotelbot.whatsapp.signature import sign
from tests.conftest import POSTGRES_URL, TEST_BLIND_KEY, TEST_FIELD_KEYS
from tests.factories.property import FIXTURE_PHONE_NUMBER_ID, make_property

pytestmark = pytest.mark.slow
STARTUP_SECONDS = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(db_url: str, port: int, data_dir: Path, **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("HOTELBOT_")}
    return base | {
        "HOTELBOT_DB__URL": db_url,
        "HOTELBOT_PORT": str(port),
        "HOTELBOT_DATA_DIR": str(data_dir),
        "HOTELBOT_WHATSAPP__SANDBOX": "true",
        "HOTELBOT_PMS__TOKEN": "api-workers-test-token",
        "HOTELBOT_CRYPTO__FIELD_KEYS": TEST_FIELD_KEYS,
        "HOTELBOT_CRYPTO__BLIND_INDEX_KEY": TEST_BLIND_KEY,
        "HOTELBOT_OBSERVABILITY__LOG_LEVEL": "WARNING",
        **extra,
    }


def _children(pid: int) -> list[int]:
    return sorted(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())


def _delivery(n: int) -> bytes:
    value = guest_message_value(
        wa_id=f"44770091{n:04d}",
        name="Workers Test",
        wamid=f"wamid.api-workers-{n}",
        timestamp=int(time.time()),
        content={"type": "text", "text": {"body": "Hello"}},
    )
    return orjson.dumps(envelope("1", FIXTURE_PHONE_NUMBER_ID, "15550100", value))


def _post(base: str, n: int) -> int:
    body = _delivery(n)
    headers = {"X-Hub-Signature-256": sign(SANDBOX_SECRETS["app_secret"], body)}
    return httpx.post(f"{base}/webhooks/whatsapp", content=body, headers=headers).status_code


@pytest.fixture
def api_workers(db_url: str, engine: Any, tmp_path: Path) -> Iterator[tuple[int, str]]:
    port = _free_port()
    # The PMS is not called by the webhook; it only has to be a service of its own.
    env = _env(
        db_url,
        port,
        tmp_path,
        HOTELBOT_QUEUE__ENGINE="procrastinate",
        HOTELBOT_PMS__URL="http://127.0.0.1:9",
    )
    log = (tmp_path / "api.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "hotelbot", "api", "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert process.poll() is None, (tmp_path / "api.log").read_text()
        time.sleep(0.2)
    yield process.pid, base
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="needs HOTELBOT_TEST_DATABASE_URL (PostgreSQL)")
async def test_a_crashed_server_process_is_replaced_and_no_delivery_is_refused(
    api_workers: tuple[int, str], sessionmaker: Any
) -> None:
    async with session_scope(sessionmaker) as session:
        await make_property(session)
    parent, base = api_workers
    servers = _children(parent)
    assert len(servers) == 2
    statuses = [_post(base, n) for n in range(20)]
    os.kill(servers[0], signal.SIGKILL)
    statuses += [_post(base, n) for n in range(20, 60)]
    assert statuses == [200] * 60
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and (
        len(_children(parent)) < 2 or servers[0] in _children(parent)
    ):
        time.sleep(0.1)
    replaced = _children(parent)
    assert len(replaced) == 2 and servers[0] not in replaced and servers[1] in replaced


def test_several_api_processes_need_the_postgresql_queue_and_a_pms_service(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hotelbot", "api", "--workers", "2"],
        env=_env(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", _free_port(), tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "HOTELBOT_QUEUE__ENGINE=procrastinate" in result.stderr
    on_postgres = _env(
        "postgresql+asyncpg://postgres@127.0.0.1:9/none",
        _free_port(),
        tmp_path,
        HOTELBOT_QUEUE__ENGINE="procrastinate",
    )
    result = subprocess.run(
        [sys.executable, "-m", "hotelbot", "api", "--workers", "2"],
        env=on_postgres,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "HOTELBOT_PMS__URL" in result.stderr
