"""The sandbox's OpenAI-compatible API served by uvicorn on a loopback port, for tests that
drive the real `openai` SDK (and LangChain) over real HTTP.

One server per test session (in a thread with its own event loop); `openai_model` resets its
script, standing fault and recorded requests for every test.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn

from hotelbot.sandbox.openai_api import create_openai_sandbox_app
from hotelbot.sandbox.openai_model import ScriptedModel


@dataclass(frozen=True)
class OpenAiServer:
    model: ScriptedModel
    base_url: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def openai_server() -> Iterator[OpenAiServer]:
    model = ScriptedModel()
    port = free_port()
    config = uvicorn.Config(
        create_openai_sandbox_app(model), host="127.0.0.1", port=port, log_level="warning",
        lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="openai-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the OpenAI sandbox did not start"
        time.sleep(0.02)
    yield OpenAiServer(model=model, base_url=f"http://127.0.0.1:{port}/sandbox/openai/v1")
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def openai_model(openai_server: OpenAiServer) -> Iterator[ScriptedModel]:
    openai_server.model.reset()
    yield openai_server.model
    openai_server.model.reset()


@pytest.fixture
def dead_url() -> str:
    """An OpenAI base URL where nothing listens (the server is down)."""
    return f"http://127.0.0.1:{free_port()}/v1"
