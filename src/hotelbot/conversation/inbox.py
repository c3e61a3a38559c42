"""Inbox: store guest messages exactly once, apply delivery statuses, hand messages to turns.

`accept()` (one delivery) and `accept_many()` (a batch, for the webhook's group commit) run
inside the caller's transaction and return the conversations that got new messages; the
caller enqueues their turns after commit. Exactly once is a constraint, not a check: messages
are `INSERT ... ON CONFLICT (wamid) DO NOTHING RETURNING`, so Meta's redeliveries, even
concurrent ones, store one row and touch the conversation once. The hot path uses set-wise
Core statements and per-process caches of guest and conversation ids, filled only after a
commit (docs/decisions/0004-webhook-ingest.md). Nothing slow happens here: no NLU, PMS or
Graph API call. Services never commit. Card details are masked before anything is stored
(`kit.redact`): the text and the message object keep only a card's last four digits.
"""

from __future__ import annotations

import asyncio
import uuid
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import bindparam, or_, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from hotelbot import metrics
from hotelbot.conversation import statuses
from hotelbot.conversation.statuses import short_hash
from hotelbot.engine.inbound import GuestMessage, Heard
from hotelbot.guest import service as guest_service
from hotelbot.kit import crypto, redact
from hotelbot.kit.lru import TtlLru
from hotelbot.models import Conversation, Direction, Message, MessageStatus, MessageType
from hotelbot.property import service as property_service
from hotelbot.whatsapp.payloads import (
    IgnoredChange,
    InboundMessage,
    StatusUpdate,
    WebhookEnvelope,
    content_of,
)

log = structlog.get_logger(__name__)

#: The hot path writes with Core statements on the tables (no ORM unit of work to pay for).
_TABLES = Message.metadata.tables


#: Key of what the transcriber heard in a voice note's stored payload (`conversation/voice.py`).
HEARD_KEY = "hotelbot_heard"

#: Informational messages (number changed, message deleted) are kept but need no turn.
NO_TURN_TYPES = frozenset({MessageType.SYSTEM})

_MEDIA = frozenset(
    {
        MessageType.IMAGE,
        MessageType.AUDIO,
        MessageType.VIDEO,
        MessageType.DOCUMENT,
        MessageType.STICKER,
    }
)
_KINDS: dict[MessageType, Any] = {
    MessageType.TEXT: "text",
    MessageType.LOCATION: "location",
    MessageType.CONTACTS: "contacts",
    MessageType.REACTION: "reaction",
    MessageType.ORDER: "order",
} | dict.fromkeys(_MEDIA, "media")


async def accept(
    session: AsyncSession, envelope: WebhookEnvelope, *, now: datetime
) -> set[uuid.UUID]:
    """Store every message and apply every status; return the conversations needing a turn."""
    (touched,) = await accept_many(session, [(envelope, now)])
    return touched


async def accept_many(
    session: AsyncSession, deliveries: Sequence[tuple[WebhookEnvelope, datetime]]
) -> list[set[uuid.UUID]]:
    """`accept()` for several deliveries in one transaction, with a few set-wise statements.

    Returns, per delivery, the conversations that got a new message needing a turn. The
    webhook's group commit (api/webhook.py) calls this with every delivery that arrived
    while the previous batch was committing, so a busy server pays a handful of statements
    and one commit for many deliveries instead of six statements and a commit each.
    """
    touched: list[set[uuid.UUID]] = [set() for _ in deliveries]
    arrivals: list[_Arrival] = []
    updates: list[tuple[StatusUpdate, datetime]] = []
    for index, (envelope, now) in enumerate(deliveries):
        for position, event in enumerate(envelope.events()):
            match event:
                case InboundMessage():
                    # Messages of one delivery get distinct, ordered arrival times: `pending()`
                    # orders by created_at, and uuid4 ids would shuffle ties.
                    arrived = now + timedelta(microseconds=position)
                    arrivals.append(_Arrival(index, event, arrived))
                case StatusUpdate():
                    updates.append((event, now))
                case IgnoredChange():
                    log.info("whatsapp.webhook.ignored", field=event.field, reason=event.reason)
    if arrivals:
        await _store_arrivals(session, arrivals, touched)
    for status_update, now in updates:
        await statuses.apply(session, status_update, now=now)
    return touched


async def pending(session: AsyncSession, conversation_id: uuid.UUID) -> list[Message]:
    """Inbound messages of the conversation still waiting for a turn, in arrival order."""
    query = (
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            Message.direction == Direction.INBOUND,
            Message.status == MessageStatus.PENDING,
        )
        .order_by(Message.created_at, Message.id)
    )
    return list((await session.execute(query)).scalars())


async def mark_processed(
    session: AsyncSession, message: Message, *, now: datetime | None = None
) -> None:
    """Record that a turn consumed `message` (a rerun of the job then finds nothing pending)."""
    message.status = MessageStatus.PROCESSED
    message.status_at = now or datetime.now(UTC)
    await session.flush()


def to_guest_message(message: Message) -> GuestMessage:
    """What the engine sees of a stored inbound message: no wamid, no Graph JSON."""
    content = content_of(message.payload or {})
    choice_id = content.get("choice_id")
    kind = _KINDS.get(message.type, "unsupported")
    if message.type in (MessageType.INTERACTIVE, MessageType.BUTTON) and choice_id:
        kind = "choice"
    return GuestMessage(
        id=str(message.id),
        kind=kind,
        text=message.text or "",
        choice_id=choice_id,
        media_type=content.get("media_type"),
        media_id=content.get("media_id"),
        heard=_heard(message.payload),
        latitude=content.get("latitude"),
        longitude=content.get("longitude"),
        received_at=message.sent_by_guest_at or message.created_at,
    )


def _heard(payload: dict[str, Any] | None) -> Heard | None:
    found = (payload or {}).get(HEARD_KEY)
    return Heard.model_validate(found) if isinstance(found, dict) else None


async def conversation_for(
    session: AsyncSession, *, property_id: uuid.UUID, guest_id: uuid.UUID
) -> uuid.UUID:
    """The id of the one conversation between a property and a guest, created if new."""
    query = select(Conversation.id).where(
        Conversation.property_id == property_id, Conversation.guest_id == guest_id
    )
    found = (await session.execute(query)).scalar_one_or_none()
    if found is not None:
        return found
    statement = (
        _insert(session)(Conversation)
        .values(id=uuid.uuid4(), property_id=property_id, guest_id=guest_id, state={})
        .on_conflict_do_nothing(index_elements=["property_id", "guest_id"])
    )
    await session.execute(statement)
    return (await session.execute(query)).scalar_one()


# ---- inbound ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Arrival:
    delivery: int
    event: InboundMessage
    at: datetime


async def _store_arrivals(
    session: AsyncSession, arrivals: list[_Arrival], touched: list[set[uuid.UUID]]
) -> None:
    """Insert each message once (by wamid) and move its conversation's window forward."""
    fresh = await _fresh(session, arrivals)
    if not fresh:
        return
    known = _known_for(session)
    guests = await _guest_ids(session, known, [a.event for a, _ in fresh.values()])
    pairs = {(p, guests[a.event.wa_id]) for a, p in fresh.values()}
    conversations = await _conversation_ids(session, known, pairs)
    rows = [
        _message_row(
            arrival,
            conversations[(property_id, guests[arrival.event.wa_id])][0],
            await _without_card_details(arrival.event),
        )
        for arrival, property_id in fresh.values()
    ]
    # Sorted by wamid: two servers inserting overlapping batches take index locks in one order.
    rows.sort(key=lambda row: str(row["wamid"]))
    table = _TABLES["messages"]
    statement = (
        _insert(session)(table)
        .on_conflict_do_nothing(index_elements=["wamid"])
        .returning(table.c.wamid)
    )
    connection = await session.connection()
    try:
        stored: set[str] = set((await connection.execute(statement, rows)).scalars())
    except IntegrityError:
        # A cached conversation id whose row is gone (a guest erased meanwhile): forget what
        # this process knows, so the caller's retry looks everything up again.
        forget_known(session)
        raise
    windows: dict[uuid.UUID, datetime] = {}
    for arrival, property_id in fresh.values():
        event = arrival.event
        if event.wamid not in stored:
            _count_duplicate(event)  # stored by an earlier or concurrent delivery
            continue
        metrics.INBOUND_MESSAGES.labels(type=event.type.value).inc()
        if event.type in NO_TURN_TYPES:
            continue
        conversation_id, _ = conversations[(property_id, guests[event.wa_id])]
        touched[arrival.delivery].add(conversation_id)
        at = min(event.sent_at or arrival.at, arrival.at)
        windows[conversation_id] = max(at, windows.get(conversation_id, at))
    await _touch_many(session, known, conversations, windows)


async def _fresh(
    session: AsyncSession, arrivals: list[_Arrival]
) -> dict[str, tuple[_Arrival, uuid.UUID]]:
    """wamid -> (arrival, property id): once per wamid, only for numbers of a known property."""
    fresh: dict[str, tuple[_Arrival, uuid.UUID]] = {}
    for arrival in arrivals:
        event = arrival.event
        property_id = await property_service.get_id_by_phone_number_id(
            session, event.phone_number_id
        )
        if property_id is None:
            log.warning("whatsapp.webhook.unknown_number", phone_number_id=event.phone_number_id)
        elif event.wamid in fresh:
            _count_duplicate(event)  # the same message twice in this batch: store it once
        else:
            fresh[event.wamid] = (arrival, property_id)
    return fresh


def _message_row(arrival: _Arrival, conversation_id: uuid.UUID, masked: _Masked) -> dict[str, Any]:
    """The `messages` row of one arrival (stored already processed when it needs no turn)."""
    event = arrival.event
    needs_turn = event.type not in NO_TURN_TYPES
    return {
        "id": uuid.uuid4(),
        "conversation_id": conversation_id,
        "direction": Direction.INBOUND,
        "type": event.type,
        "status": MessageStatus.PENDING if needs_turn else MessageStatus.PROCESSED,
        "wamid": event.wamid,
        "text": masked.text,
        "payload": masked.payload,
        "sent_by_guest_at": event.sent_at,
        "created_at": arrival.at,
        "status_at": arrival.at,
        "attempts": 0,
    }


#: Texts longer than this (Meta's own limit) are masked in a worker thread: a hostile megabyte
#: takes long enough to delay other deliveries if it ran on the event loop.
_MASK_INLINE_CHARS = 4096


@dataclass(frozen=True)
class _Masked:
    text: str
    payload: dict[str, Any]


async def _without_card_details(event: InboundMessage) -> _Masked:
    """The message's text and object with card details masked (counted by kind)."""
    if len(event.text) > _MASK_INLINE_CHARS:
        masked = await asyncio.to_thread(_mask, event)
    else:
        masked = _mask(event)
    return masked


def _mask(event: InboundMessage) -> _Masked:
    redaction = redact.redact_card_details(event.text)
    for kind in sorted(redaction.found):
        metrics.CARD_DETAILS.labels(kind=kind).inc()
    payload = _masked_payload(event.raw) if redaction.found else event.raw
    return _Masked(redaction.text, payload)


#: Keys of a message object whose values are ids, numbers or times, never guest-typed text.
_VERBATIM_KEYS = frozenset(
    {"id", "from", "timestamp", "type", "wa_id", "user_id", "from_user_id", "mime_type",
     "sha256", "message_id", "original_message_id", "phone", "latitude", "longitude"}
)  # fmt: skip


def _masked_payload(value: Any, key: str | None = None) -> Any:
    """The message object with card details masked in every guest-typed string."""
    if key in _VERBATIM_KEYS:
        return value
    if isinstance(value, str):
        return redact.redact_card_details(value).text
    if isinstance(value, dict):
        return {k: _masked_payload(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked_payload(item, key) for item in value]
    return value


async def _guest_ids(
    session: AsyncSession, known: _Known, events: list[InboundMessage]
) -> dict[str, uuid.UUID]:
    """wa_id -> guest id, creating new guests; the stored name follows the latest profile name."""
    cipher = crypto.installed()
    latest: dict[str, str | None] = {}
    for event in events:
        latest[event.wa_id] = event.profile_name or latest.get(event.wa_id)
    hashes = {wa_id: guest_service.phone_hash(wa_id) for wa_id in latest}
    ids: dict[str, uuid.UUID] = {}
    names: dict[str, str | None] = {}  # phone hash -> keyed hash of the stored name
    for wa_id, phone_hash in hashes.items():
        hit = known.guests.get(phone_hash)
        if hit is not None:
            ids[wa_id], names[phone_hash] = hit
    missing = {hashes[w]: w for w in latest if w not in ids}
    if missing:
        found = await _select_guests(session, sorted(missing))
        new = [h for h in sorted(missing) if h not in found]
        if new:
            await _insert_guests(session, [(h, missing[h], latest[missing[h]]) for h in new])
            found |= await _select_guests(session, new)
        for phone_hash, (guest_id, name) in found.items():
            ids[missing[phone_hash]] = guest_id
            names[phone_hash] = _name_digest(cipher, name)
    renames = [
        {"b_id": ids[wa_id], "name": name}
        for wa_id, name in latest.items()
        if name and names[hashes[wa_id]] != _name_digest(cipher, name)
    ]
    if renames:
        table = _TABLES["guests"]
        statement = (
            update(table).where(table.c.id == bindparam("b_id")).values(name=bindparam("name"))
        )
        await (await session.connection()).execute(statement, renames)
    for wa_id, guest_id in ids.items():
        name = latest[wa_id]
        digest = _name_digest(cipher, name) if name else names[hashes[wa_id]]
        _remember(session, known.guests, hashes[wa_id], (guest_id, digest))
    return ids


async def _select_guests(
    session: AsyncSession, hashes: list[str]
) -> dict[str, tuple[uuid.UUID, str | None]]:
    table = _TABLES["guests"]
    query = select(table.c.phone_hash, table.c.id, table.c.name).where(
        table.c.phone_hash.in_(hashes)
    )
    result = await (await session.connection()).execute(query)
    return {row.phone_hash: (row.id, row.name) for row in result}


async def _insert_guests(session: AsyncSession, new: list[tuple[str, str, str | None]]) -> None:
    # Column types apply to Core statements too, so phone and name are encrypted here.
    rows = [
        {"id": uuid.uuid4(), "phone_hash": h, "phone": wa_id, "name": name, "opted_out": False}
        for h, wa_id, name in new
    ]
    statement = _insert(session)(_TABLES["guests"]).on_conflict_do_nothing(
        index_elements=["phone_hash"]
    )
    await (await session.connection()).execute(statement, rows)


_Pair = tuple[uuid.UUID, uuid.UUID]  # (property id, guest id)
_ConversationHit = tuple[uuid.UUID, datetime | None]  # (conversation id, last_inbound_at)


async def _conversation_ids(
    session: AsyncSession, known: _Known, pairs: set[_Pair]
) -> dict[_Pair, _ConversationHit]:
    """(property, guest) -> (conversation id, last inbound time as far as we know)."""
    out: dict[_Pair, _ConversationHit] = {}
    for pair in pairs:
        hit = known.conversations.get(pair)
        if hit is not None:
            out[pair] = hit
    missing = sorted(pairs - out.keys())
    if missing:
        found = await _select_conversations(session, missing)
        new = [pair for pair in missing if pair not in found]
        if new:
            rows = [
                {"id": uuid.uuid4(), "property_id": p, "guest_id": g, "state": {}, "mode": "bot"}
                for p, g in new
            ]
            statement = _insert(session)(_TABLES["conversations"]).on_conflict_do_nothing(
                index_elements=["property_id", "guest_id"]
            )
            await (await session.connection()).execute(statement, rows)
            found |= await _select_conversations(session, new)
        out |= found
    return out


async def _select_conversations(
    session: AsyncSession, pairs: list[_Pair]
) -> dict[_Pair, _ConversationHit]:
    table = _TABLES["conversations"]
    query = select(
        table.c.property_id, table.c.guest_id, table.c.id, table.c.last_inbound_at
    ).where(
        table.c.property_id.in_({p for p, _ in pairs}),
        table.c.guest_id.in_({g for _, g in pairs}),
    )
    result = await (await session.connection()).execute(query)
    wanted = set(pairs)
    return {
        (row.property_id, row.guest_id): (row.id, row.last_inbound_at)
        for row in result
        if (row.property_id, row.guest_id) in wanted
    }


async def _touch_many(
    session: AsyncSession,
    known: _Known,
    conversations: dict[_Pair, _ConversationHit],
    windows: dict[uuid.UUID, datetime],
) -> None:
    """Move 24-hour windows forward (never back: deliveries can arrive out of order).

    A window already known to be at or past `at` is skipped: the column never moves back, so
    what this process last saw committed is a lower bound of what is stored.
    """
    last_seen = {cid: last for cid, last in conversations.values()}
    moves = [
        {"b_id": cid, "b_at": at}
        for cid, at in sorted(windows.items())
        if last_seen.get(cid) is None or last_seen[cid] < at  # type: ignore[operator]
    ]
    if moves:
        table = _TABLES["conversations"]
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("b_id"),
                or_(table.c.last_inbound_at.is_(None), table.c.last_inbound_at < bindparam("b_at")),
            )
            .values(last_inbound_at=bindparam("b_at"))
        )
        await (await session.connection()).execute(statement, moves)
    for pair, (cid, last) in conversations.items():
        at = windows.get(cid)
        newest = at if last is None or (at is not None and at > last) else last
        _remember(session, known.conversations, pair, (cid, newest))


def _count_duplicate(event: InboundMessage) -> None:
    metrics.DUPLICATE_MESSAGES.inc()
    log.info("whatsapp.webhook.duplicate", wamid_hash=short_hash(event.wamid))


# ---- what this process knows: ids are immutable once created ------------------------------

#: Bounds of the per-process caches (entries, seconds an entry is trusted).
KNOWN_SIZE = 20_000
KNOWN_TTL_SECONDS = 300.0
_STAGED = "hotelbot.inbox_known"


@dataclass
class _Known:
    """Ids (and the last window and name digest seen) of guests and conversations.

    Entries are written only after the transaction that read or created them commits
    (`_apply_staged`), so a rolled-back insert can never leave an id that does not exist.
    """

    guests: TtlLru[str, tuple[uuid.UUID, str | None]]
    conversations: TtlLru[_Pair, _ConversationHit]


_known: weakref.WeakKeyDictionary[Any, _Known] = weakref.WeakKeyDictionary()


def _known_for(session: AsyncSession) -> _Known:
    # Per engine: tests and tools open many databases in one process.
    engine = session.get_bind()
    known = _known.get(engine)
    if known is None:
        known = _known[engine] = _Known(
            TtlLru(KNOWN_SIZE, KNOWN_TTL_SECONDS), TtlLru(KNOWN_SIZE, KNOWN_TTL_SECONDS)
        )
    return known


def forget_known(session: AsyncSession) -> None:
    """Drop this database's cached ids (after deleting guests or conversations)."""
    _known.pop(session.get_bind(), None)


def _remember(session: AsyncSession, cache: TtlLru[Any, Any], key: Any, value: Any) -> None:
    session.info.setdefault(_STAGED, []).append((cache, key, value))


@sa_event.listens_for(Session, "after_commit")
def _apply_staged(session: Session) -> None:
    for cache, key, value in session.info.pop(_STAGED, ()):
        cache.put(key, value)


@sa_event.listens_for(Session, "after_soft_rollback")
def _drop_staged(session: Session, _previous: Any) -> None:
    session.info.pop(_STAGED, None)


def _name_digest(cipher: crypto.FieldCipher, name: str | None) -> str | None:
    # Keyed, so the cache holds no name in clear (nor an unkeyed hash of one).
    return None if name is None else cipher.blind_index("name:" + name)


# ---- helpers ------------------------------------------------------------------------------


def _insert(session: AsyncSession) -> Callable[..., Any]:
    """The dialect's INSERT, which has `on_conflict_do_nothing` on SQLite and Postgres."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
