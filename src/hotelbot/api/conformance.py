"""Webhook conformance: replay a JSONL file of real webhook bodies through the app, check each.

For every line (`{"payload": <webhook body>, ...}`) the checker routes the body's numbers to
properties, POSTs the body signed (twice: Meta redelivers), and checks: HTTP 200 both times;
each message stored once under the expected type; each status applied to an outbound message
seeded with its wamid; other fields acknowledged and nothing stored. Rows are independent: rows
of a file may reuse wamids, so messages with a row's wamids are deleted before it is posted.
Run it against a scratch database only.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hotelbot.api.webhook import PATH, SIGNATURE_HEADER
from hotelbot.conversation import inbox, statuses
from hotelbot.guest import service as guest_service
from hotelbot.kit.db import session_scope
from hotelbot.models import Direction, Message, MessageStatus, MessageType
from hotelbot.property import service as property_service
from hotelbot.whatsapp.payloads import BUSINESS_ACCOUNT
from hotelbot.whatsapp.signature import sign

#: What an outbound message is before its status arrives: every Meta status moves it on.
SEEDED_STATUS = MessageStatus.SENDING


@dataclass
class RowResult:
    line: int
    id: str
    http_status: list[int] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ConformanceReport:
    rows: list[RowResult]

    @property
    def passed(self) -> bool:
        return all(row.ok for row in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "rows": len(self.rows),
            "failed": sum(not row.ok for row in self.rows),
            "results": [
                {
                    "line": r.line,
                    "id": r.id,
                    "ok": r.ok,
                    "http_status": r.http_status,
                    "checked": r.checked,
                    "problems": r.problems,
                }
                for r in self.rows
            ],
        }


@dataclass
class _Expected:
    numbers: dict[str, str] = field(default_factory=dict)  # phone_number_id → display number
    messages: list[tuple[str, MessageType]] = field(default_factory=list)
    statuses: list[tuple[str, MessageStatus, int | None, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


async def check_webhooks(
    app: FastAPI, jsonl_path: Path | str, *, app_secret: str
) -> ConformanceReport:
    """POST every body of the file to `app` and report, row by row, what landed."""
    sessionmaker: async_sessionmaker[AsyncSession] = app.state.hotelbot.sessionmaker
    rows: list[RowResult] = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://conformance") as client:
        lines = Path(jsonl_path).read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if line.strip():
                rows.append(await _check_row(client, sessionmaker, number, line, app_secret))
    return ConformanceReport(rows=rows)


async def _check_row(
    client: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    number: int,
    line: str,
    app_secret: str,
) -> RowResult:
    row = json.loads(line)
    result = RowResult(line=number, id=str(row.get("id", number)))
    payload = row.get("payload")
    if not isinstance(payload, dict):
        result.problems.append("row has no payload object")
        return result
    expected = _expectations(payload)
    async with session_scope(sessionmaker) as session:
        await _prepare(session, expected)
    before = await _count_messages(sessionmaker)
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {SIGNATURE_HEADER: sign(app_secret, body), "Content-Type": "application/json"}
    for _ in range(2):  # the second POST is Meta's redelivery
        response = await client.post(PATH, content=body, headers=headers)
        result.http_status.append(response.status_code)
    if any(status != 200 for status in result.http_status):
        result.problems.append(f"HTTP {result.http_status}")
    async with sessionmaker() as session:
        await _verify(session, expected, result)
    if not expected.messages and not expected.statuses:
        result.checked.extend(f"acknowledged {name}" for name in expected.ignored)
        if await _count_messages(sessionmaker) != before:
            result.problems.append("a change we do not act on stored messages")
    return result


def _expectations(payload: dict[str, Any]) -> _Expected:
    """What the body should produce, read from the raw JSON (independently of our models)."""
    expected = _Expected()
    for entry in payload.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            if payload.get("object") != BUSINESS_ACCOUNT or change.get("field") != "messages":
                expected.ignored.append(str(change.get("field")))
                continue
            metadata = value.get("metadata") or {}
            expected.numbers[metadata.get("phone_number_id", "")] = metadata.get(
                "display_phone_number", ""
            )
            for message in value.get("messages") or []:
                expected.messages.append((message["id"], expected_type(message)))
            for status in value.get("statuses") or []:
                ours = statuses.STATUS_FROM_META.get(str(status.get("status")).lower())
                if ours is not None:
                    errors = status.get("errors") or [{}]
                    recipient = status.get("recipient_id") or "conformance"
                    expected.statuses.append((status["id"], ours, errors[0].get("code"), recipient))
    return expected


def expected_type(message: dict[str, Any]) -> MessageType:
    """The type a message must be stored under: its own, an edit's new version's, a revoke
    as `system`, anything unknown (or `template`, which guests cannot send) as `unsupported`."""
    kind = message.get("type")
    if kind == "edit":
        kind = ((message.get("edit") or {}).get("message") or {}).get("type")
    if kind == "revoke":
        return MessageType.SYSTEM
    if kind in {t.value for t in MessageType} and kind != MessageType.TEMPLATE:
        return MessageType(kind)
    return MessageType.UNSUPPORTED


async def _prepare(session: AsyncSession, expected: _Expected) -> None:
    for phone_number_id, display in expected.numbers.items():
        if await property_service.get_by_phone_number_id(session, phone_number_id) is None:
            slug = "conformance-" + hashlib.sha256(phone_number_id.encode()).hexdigest()[:12]
            await property_service.create_property(
                session,
                slug=slug,
                name="Conformance Hotel",
                phone_number_id=phone_number_id,
                display_phone_number=display,
            )
    wamids = [w for w, _ in expected.messages] + [w for w, *_ in expected.statuses]
    if wamids:
        await session.execute(delete(Message).where(Message.wamid.in_(wamids)))
    number = next(iter(expected.numbers), "")
    for wamid, _status, _code, recipient in expected.statuses:
        await _seed_outbound(session, phone_number_id=number, wamid=wamid, recipient=recipient)


async def _seed_outbound(
    session: AsyncSession, *, phone_number_id: str, wamid: str, recipient: str
) -> None:
    prop = await property_service.get_by_phone_number_id(session, phone_number_id)
    assert prop is not None  # created by _prepare
    guest = await guest_service.find_or_create(session, wa_id=recipient, profile_name=None)
    conversation_id = await inbox.conversation_for(session, property_id=prop.id, guest_id=guest.id)
    session.add(
        Message(
            conversation_id=conversation_id,
            direction=Direction.OUTBOUND,
            type=MessageType.TEXT,
            status=SEEDED_STATUS,
            wamid=wamid,
            text="conformance",
        )
    )
    await session.flush()


async def _verify(session: AsyncSession, expected: _Expected, result: RowResult) -> None:
    for wamid, kind in expected.messages:
        query = select(Message).where(Message.wamid == wamid)
        stored = list((await session.execute(query)).scalars())
        if len(stored) != 1 or stored[0].direction != Direction.INBOUND:
            result.problems.append(f"message stored {len(stored)} times, expected once")
        elif stored[0].type != kind:
            result.problems.append(f"stored as {stored[0].type}, expected {kind}")
        else:
            result.checked.append(f"stored once as {kind}")
    for wamid, status, code, _ in expected.statuses:
        message = (await session.execute(select(Message).where(Message.wamid == wamid))).scalar()
        if message is None or message.status != status:
            found = message.status if message else "no row"
            result.problems.append(f"status {found}, expected {status}")
        elif status is MessageStatus.FAILED and message.error_code != code:
            result.problems.append(f"error code {message.error_code}, expected {code}")
        else:
            result.checked.append(f"status applied: {status}")


async def _count_messages(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return (await session.execute(select(func.count()).select_from(Message))).scalar_one()
