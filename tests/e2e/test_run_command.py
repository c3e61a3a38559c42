"""README command 1, for real: `hotelbot run` on an empty data dir, driven over HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from hotelbot.sandbox import DEMO_PHONE_NUMBER_ID
from hotelbot.settings import SANDBOX_SECRETS
from hotelbot.whatsapp.signature import sign
from tests.test_readme import readme_code
from tests.voice.samples import voice_note

pytestmark = pytest.mark.slow
STARTUP_SECONDS = 60.0
REPLY_SECONDS = 15.0
#: The guest of the README's signed-webhook example.
README_GUEST = "15550009999"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("run")


@pytest.fixture(scope="module")
def run_process(data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTELBOT_")} | {
        "HOTELBOT_DATA_DIR": str(data_dir),
        "HOTELBOT_PORT": str(port),
    }
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "hotelbot", "run"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert process.poll() is None, (data_dir / "server.log").read_text()
        time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("hotelbot run did not become ready:\n" + (data_dir / "server.log").read_text())
    yield process, base
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def server(run_process: tuple[subprocess.Popen[bytes], str]) -> str:
    return run_process[1]


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _envelope(wamid: str, wa_id: str, text: str) -> bytes:
    message = {
        "from": wa_id,
        "id": wamid,
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550100", "phone_number_id": DEMO_PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": "Run Test"}, "wa_id": wa_id}],
        "messages": [message],
    }
    entry = {"id": "1", "changes": [{"field": "messages", "value": value}]}
    return orjson.dumps({"object": "whatsapp_business_account", "entry": [entry]})


def _replies_to(base: str, wa_id: str) -> list[dict[str, object]]:
    sent = httpx.get(f"{base}/sandbox/api/sent", timeout=5).json()
    return [s for s in sent if s["to"] == wa_id]


def _wait_for_replies(base: str, wa_id: str) -> list[dict[str, object]]:
    deadline = time.monotonic() + REPLY_SECONDS
    while time.monotonic() < deadline:
        if replies := _replies_to(base, wa_id):
            return replies
        time.sleep(0.1)
    return []


def _send_signed(server: str, wamid: str, wa_id: str, text: str) -> list[dict[str, object]]:
    body = _envelope(wamid, wa_id, text)
    response = httpx.post(
        f"{server}/webhooks/whatsapp",
        content=body,
        headers={
            "X-Hub-Signature-256": sign(SANDBOX_SECRETS["app_secret"], body),
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 200
    return _wait_for_replies(server, wa_id)


def test_signed_webhook_is_answered_through_the_sandbox(server: str) -> None:
    replies = _send_signed(
        server, "wamid.run-test-1", "447700900301", "Hello! What time is check-in?"
    )
    assert replies, "no reply reached the sandbox"
    assert all(r["phone_number_id"] == DEMO_PHONE_NUMBER_ID for r in replies)
    assert "15:00" in orjson.dumps([r["payload"] for r in replies]).decode()


def test_readme_signed_webhook_by_hand_is_answered(server: str) -> None:
    # The README's block as a newcomer runs it (bash, openssl, curl), pointed at this server;
    # run again once answered, it is a new message and is answered again.
    script = readme_code("A signed webhook by hand").replace("http://127.0.0.1:8000", server)
    for attempt in (1, 2):
        before = len(_replies_to(server, README_GUEST))
        command = ["bash", "-e", "-c", script]
        run = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert run.returncode == 0 and "HTTP/1.1 200" in run.stdout, run.stdout + run.stderr
        deadline = time.monotonic() + REPLY_SECONDS
        while len(replies := _replies_to(server, README_GUEST)) == before:
            assert time.monotonic() < deadline, f"README example not answered (run {attempt})"
            time.sleep(0.1)
        assert "15:00" in orjson.dumps([r["payload"] for r in replies[before:]]).decode()


def test_bad_signature_is_refused_and_never_answered(server: str) -> None:
    body = _envelope("wamid.run-test-2", "447700900302", "Hello")
    response = httpx.post(
        f"{server}/webhooks/whatsapp",
        content=body,
        headers={"X-Hub-Signature-256": sign("not-the-secret", body)},
    )
    assert response.status_code in (401, 403)
    # A correctly signed message sent after it is answered; the refused one never is.
    assert _send_signed(server, "wamid.run-test-3", "447700900304", "Hello")
    assert _replies_to(server, "447700900302") == []


def test_verification_handshake(server: str) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": SANDBOX_SECRETS["verify_token"],
        "hub.challenge": "1158201444",
    }
    response = httpx.get(f"{server}/webhooks/whatsapp", params=params)
    assert (response.status_code, response.text) == (200, "1158201444")
    params["hub.verify_token"] = "wrong"
    assert httpx.get(f"{server}/webhooks/whatsapp", params=params).status_code == 403


def _chat(server: str, phone: str, line: str) -> subprocess.CompletedProcess[str]:
    """`hotelbot chat` as a person runs it: one line typed, then `/quit`."""
    return subprocess.run(
        [sys.executable, "-m", "hotelbot", "chat", "--url", server, "--phone", phone],
        input=f"{line}\n/quit\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("HOTELBOT_")},
    )


def test_chat_command_talks_to_the_running_bot(server: str) -> None:
    result = _chat(server, "447700900303", "Hola, ¿a qué hora es el desayuno?")
    assert result.returncode == 0, result.stderr
    assert "bot> " in result.stdout
    assert "desayuno" in result.stdout.lower()


def test_chat_says_when_whatsapp_refuses_a_reply(server: str) -> None:
    # The sandbox refuses every free-form send as Meta does outside the 24-hour window.
    httpx.post(f"{server}/sandbox/api/faults", json={"outside_window": True}).raise_for_status()
    try:
        result = _chat(server, "447700900306", "Hello! What time is check-in?")
    finally:
        httpx.delete(f"{server}/sandbox/api/faults").raise_for_status()

    assert result.returncode == 0, result.stderr
    assert "bot> ✗ Not delivered: WhatsApp's 24-hour rule (code 131047)" in result.stdout
    assert "15:00" not in result.stdout  # the refused answer is never shown as said


def test_chat_sends_a_recorded_voice_note_and_saves_the_voice_reply(
    server: str, tmp_path: Path
) -> None:
    note = tmp_path / "question.ogg"
    note.write_bytes(voice_note("What time is breakfast?", "en"))
    command = ["chat", "--url", server, "--phone", "447700900316", "--voice", str(note)]
    result = subprocess.run(
        [sys.executable, "-m", "hotelbot", *command],
        input="/quit\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if not k.startswith("HOTELBOT_")},
    )
    assert result.returncode == 0, result.stderr
    assert "you> (voice note question.ogg)" in result.stdout
    assert "07:00" in result.stdout  # the breakfast answer, in text
    saved = re.search(r"bot> \(voice note\) (\S+\.ogg)", result.stdout)
    assert saved, result.stdout
    assert Path(saved.group(1)).read_bytes()[:4] == b"OggS"


def test_data_dir_and_logs_hold_no_phone_number_or_text(server: str, data_dir: Path) -> None:
    text = "My secret question about the minibar"
    assert _send_signed(server, "wamid.run-test-4", "447700900305", text)
    for path in data_dir.iterdir():
        raw = path.read_bytes()
        assert b"447700900305" not in raw, path.name
        assert text.encode() not in raw, path.name
        assert b"Run Test" not in raw, path.name


def test_turns_run_in_a_worker_process_that_is_restarted_after_a_crash(
    run_process: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, server = run_process
    assert _send_signed(server, "wamid.run-test-5", "447700900306", "Hello")
    (worker,) = _children(process.pid)
    os.kill(worker, signal.SIGKILL)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and _children(process.pid) in ([], [worker]):
        time.sleep(0.1)
    assert _children(process.pid) not in ([], [worker]), "the worker was not started again"
    # A message arriving while the new worker warms up waits for it, and is answered.
    assert _send_signed(server, "wamid.run-test-6", "447700900307", "What time is breakfast?")
