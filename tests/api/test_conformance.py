"""The conformance checker replays a JSONL of webhook bodies and reports each row."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from hotelbot.api.app import create_api_app
from hotelbot.api.conformance import check_webhooks, expected_type
from hotelbot.models import MessageType
from hotelbot.resources import open_resources
from hotelbot.settings import Settings
from tests.fakes.queue import RecordingQueue

DATA = Path(__file__).parent.parent / "data" / "whatsapp"
#: Not a shape Meta sends (a `text` message whose `text` is a string): we store it as
#: `unsupported`, while the checker expects the declared type of real bodies.
NOT_FROM_META = {"malformed_text"}
FIXTURES = sorted(f for f in DATA.glob("*.json") if f.stem not in NOT_FROM_META)


@pytest.fixture
async def app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[FastAPI]:
    async with open_resources(settings, RecordingQueue()) as resources:
        yield create_api_app(resources)


@pytest.fixture
def jsonl(tmp_path: Path) -> Path:
    """Our fixtures as a JSONL file in the shape of Meta's webhook dumps."""
    path = tmp_path / "webhooks.jsonl"
    lines = [json.dumps({"id": f.stem, "payload": json.loads(f.read_text())}) for f in FIXTURES]
    path.write_text("\n".join(lines) + "\n")
    return path


async def test_every_fixture_row_passes(app: FastAPI, jsonl: Path, settings: Settings) -> None:
    secret = settings.whatsapp.app_secret.get_secret_value()
    report = await check_webhooks(app, jsonl, app_secret=secret)
    assert [row.problems for row in report.rows if not row.ok] == []
    assert report.passed
    assert len(report.rows) == len(FIXTURES)
    by_id = {row.id: row for row in report.rows}
    assert by_id["image"].checked == ["stored once as image"]
    assert by_id["status_failed"].checked == ["status applied: failed"]
    assert by_id["account_update"].checked == ["acknowledged account_update"]
    assert all(row.http_status == [200, 200] for row in report.rows)


async def test_a_wrong_secret_fails_every_row(app: FastAPI, jsonl: Path) -> None:
    report = await check_webhooks(app, jsonl, app_secret="not-the-secret")
    assert not report.passed
    assert all(row.http_status == [401, 401] for row in report.rows)
    assert report.to_dict()["failed"] == len(report.rows)


async def test_a_row_without_payload_is_reported(app: FastAPI, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "no-payload"}) + "\n")
    report = await check_webhooks(app, path, app_secret="whatever")
    assert report.rows[0].problems == ["row has no payload object"]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ({"type": "text"}, MessageType.TEXT),
        ({"type": "edit", "edit": {"message": {"type": "image"}}}, MessageType.IMAGE),
        ({"type": "revoke"}, MessageType.SYSTEM),
        ({"type": "template"}, MessageType.UNSUPPORTED),
        ({"type": "hologram"}, MessageType.UNSUPPORTED),
        ({}, MessageType.UNSUPPORTED),
    ],
)
def test_expected_type(message: dict[str, object], expected: MessageType) -> None:
    assert expected_type(message) == expected
