"""JSON logs: guest data never reaches the output, and the correlation id follows the work."""

from __future__ import annotations

import io
import logging
import uuid
from typing import Any

import httpx
import pytest
import structlog
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot.kit import jobs
from hotelbot.kit.db import create_sessionmaker, session_scope
from hotelbot.kit.logging import (
    CorrelationIdMiddleware,
    bind_correlation_id,
    scrub_text,
)
from tests.conftest import log_lines

PHONE = "+34 612 345 678"
EMAIL = "ana.garcia@example.org"
TEXT = "hola, soy Ana, mi número es 612345678"


def test_guest_data_in_fields_and_message_is_scrubbed(log_output: io.StringIO) -> None:
    log = structlog.get_logger("hotelbot.whatsapp.webhook")
    log.info(
        f"guest {PHONE} wrote",
        wa_id="34612345678",
        profile_name="Ana García",
        text=TEXT,
        payload={"body": TEXT},
        contact={"email": EMAIL, "note": f"call me at {PHONE} or {EMAIL}"},
        messages=1,
    )

    raw = log_output.getvalue()
    for secret in ("612 345 678", "345678", "Ana", "García", EMAIL, "hola"):
        assert secret not in raw
    [line] = log_lines(log_output)
    assert line["wa_id"] == "[redacted]" and line["text"] == "[redacted]"
    assert line["contact"]["note"] == "call me at [phone] or [email]"
    assert line["messages"] == 1
    assert line["level"] == "info"
    assert line["logger"] == "hotelbot.whatsapp.webhook"
    assert line["timestamp"].startswith("20") and "T" in line["timestamp"]


def test_stdlib_records_go_through_the_same_scrubbing(log_output: io.StringIO) -> None:
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/1.1" %d', "127.0.0.1:51000", "GET", f"/lookup?phone={PHONE}", 200
    )
    logging.getLogger("sqlalchemy.engine").warning("params: %r", (EMAIL, "34612345678"))

    raw = log_output.getvalue()
    assert "612 345 678" not in raw and EMAIL not in raw
    access, sql = log_lines(log_output)
    assert access["logger"] == "uvicorn.access"
    # Addresses and status codes are not phone numbers: operators still need them.
    assert access["event"] == '127.0.0.1:51000 - "GET /lookup?phone=[phone] HTTP/1.1" 200'
    assert sql["level"] == "warning"


def test_exception_text_is_scrubbed(log_output: io.StringIO) -> None:
    try:
        raise ValueError(f"no guest for {PHONE}")
    except ValueError:
        structlog.get_logger("hotelbot.test").exception("guest.lookup_failed")

    [line] = log_lines(log_output)
    assert "ValueError: no guest for [phone]" in line["exception"]
    # The whole number, not a fragment: "612" can be a timestamp's milliseconds.
    assert "612 345 678" not in log_output.getvalue()


@given(st.uuids())
def test_ids_hashes_and_dates_are_left_alone(value: uuid.UUID) -> None:
    for text in (str(value), value.hex, "2026-11-25", "2026-11-25T20:40:00+00:00"):
        assert scrub_text(text) == text


@pytest.mark.parametrize(
    "text",
    ["+44 20 7946 0958", "612345678", "(555) 010-4477", "+1-555-010-4477", "34612345678"],
)
def test_phone_numbers_are_masked(text: str) -> None:
    assert scrub_text(f"number {text}.") == "number [phone]."


class RecordingQueue:
    def __init__(self) -> None:
        self.enqueued: list[tuple[jobs.Job, dict[str, jobs.JsonScalar]]] = []

    async def enqueue(self, job: jobs.Job, /, **kwargs: jobs.JsonScalar) -> None:
        self.enqueued.append((job, kwargs))

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@jobs.job("test.log_a_line")
async def log_a_line(resources: object, *, conversation_id: str) -> None:
    structlog.get_logger("hotelbot.test.job").info("test.job.ran", conversation_id=conversation_id)


async def test_correlation_id_travels_from_request_to_job(
    log_output: io.StringIO, engine: AsyncEngine
) -> None:
    queue = RecordingQueue()
    info: dict[str, Any] = {}
    jobs.bind_queue(info, queue)
    with bind_correlation_id("req-42"):
        async with session_scope(create_sessionmaker(engine, info=info)) as session:
            jobs.enqueue_after_commit(session, log_a_line, conversation_id="c-1")

    # Later, in a worker, with no correlation id of its own.
    [(job, kwargs)] = queue.enqueued
    assert kwargs == {"conversation_id": "c-1", "_correlation_id": "req-42"}
    await jobs.run_with_context(job, kwargs, None)

    [line] = log_lines(log_output)
    assert line["event"] == "test.job.ran"
    assert line["correlation_id"] == "req-42"
    assert line["conversation_id"] == "c-1"


async def test_job_enqueued_outside_a_request_gets_its_own_id(log_output: io.StringIO) -> None:
    await jobs.run_with_context(jobs.job_for(log_a_line), {"conversation_id": "c-2"}, None)

    [line] = log_lines(log_output)
    assert len(line["correlation_id"]) == 32


def correlated_app() -> Any:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        structlog.get_logger("hotelbot.test.api").info("test.ping")
        return {"ok": "yes"}

    return CorrelationIdMiddleware(app)


async def test_middleware_uses_the_callers_request_id(log_output: io.StringIO) -> None:
    transport = httpx.ASGITransport(app=correlated_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/ping", headers={"X-Request-ID": "abc-123"})

    assert response.headers["x-request-id"] == "abc-123"
    assert log_lines(log_output)[0]["correlation_id"] == "abc-123"


async def test_middleware_makes_an_id_when_missing_or_malformed(log_output: io.StringIO) -> None:
    transport = httpx.ASGITransport(app=correlated_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        first = await client.get("/ping")
        second = await client.get("/ping", headers={"X-Request-ID": "x" * 500})

    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert all(len(i) == 32 for i in ids) and ids[0] != ids[1]
    assert [line["correlation_id"] for line in log_lines(log_output)] == ids
