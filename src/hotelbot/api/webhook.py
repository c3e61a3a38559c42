"""The WhatsApp webhook: `GET` verification handshake and `POST` deliveries.

The `GET` is a FastAPI route; the `POST`, the service's hottest path, is served by the raw
ASGI receiver in `api/receiver.py`, which calls `verified_envelope()` and `store()`.

A delivery is answered 200 only once its messages are committed, so Meta's retry is our
durability: if we fail before the commit, Meta sends it again and the unique wamid makes the
second copy the only one. The request does no NLU, PMS or Graph API work; it stores, enqueues
one turn per conversation touched, and answers.
https://developers.facebook.com/docs/whatsapp/cloud-api/guides/set-up-webhooks
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot.api.deps import SettingsDep
from hotelbot.conversation import inbox, jobs
from hotelbot.errors import HotelbotError, Unauthorized
from hotelbot.kit.group_commit import GroupCommit
from hotelbot.kit.jobs import enqueue_after_commit
from hotelbot.kit.logging import bind_correlation_id, current_correlation_id
from hotelbot.resources import Resources
from hotelbot.settings import Settings
from hotelbot.whatsapp.payloads import WebhookEnvelope
from hotelbot.whatsapp.signature import is_valid_signature

log = structlog.get_logger(__name__)

router = APIRouter(tags=["whatsapp"])

PATH = "/webhooks/whatsapp"
SIGNATURE_HEADER = "X-Hub-Signature-256"


class MalformedPayload(HotelbotError):
    """The body is signed but is not a JSON webhook envelope."""

    status_code = 400
    code = "malformed_payload"


@router.get(PATH)
async def verify(request: Request, settings: SettingsDep) -> Response:
    """Meta's subscription handshake: echo `hub.challenge` when the verify token matches."""
    params = request.query_params
    expected = settings.whatsapp.verify_token.get_secret_value()
    token = params.get("hub.verify_token", "")
    if params.get("hub.mode") == "subscribe" and expected and _same(token, expected):
        log.info("whatsapp.webhook.verified")
        return PlainTextResponse(params.get("hub.challenge", ""))
    log.info("whatsapp.webhook.verify_refused")
    return PlainTextResponse("forbidden", status_code=403)


def verified_envelope(settings: Settings, body: bytes, signature: str | None) -> WebhookEnvelope:
    """The delivery's envelope once its signature holds. 401 bad signature, 400 not JSON.

    The signature is checked over the raw body, before any parsing.
    """
    secret = settings.whatsapp.app_secret.get_secret_value()
    if not is_valid_signature(secret, body, signature):
        raise Unauthorized("invalid webhook signature")
    return _parse(body)


async def store(resources: Resources, envelope: WebhookEnvelope) -> None:
    """Store a verified delivery; return once the transaction holding it has committed.

    Concurrent deliveries share transactions (`GroupCommit`); one turn is enqueued per
    conversation touched, after the commit.
    """
    delivery = _Delivery(envelope, datetime.now(UTC), current_correlation_id())
    await _ingest_for(resources).submit(delivery)


OK_BODY = b'{"status":"ok"}'
_INGEST = "whatsapp.ingest"


@dataclass(frozen=True)
class _Delivery:
    envelope: WebhookEnvelope
    received_at: datetime
    correlation_id: str | None


def _ingest_for(resources: Resources) -> GroupCommit[_Delivery, None]:
    """The process's group commit for webhook deliveries (one per Resources)."""
    ingest: GroupCommit[_Delivery, None] | None = resources.extras.get(_INGEST)
    if ingest is None:
        # SQLite has one writer at a time; PostgreSQL overlaps one batch's commit (WAL flush)
        # with the next batch's statements.
        sqlite = resources.engine.dialect.name == "sqlite"
        ingest = GroupCommit(
            resources.sessionmaker,
            _store,
            max_batch=MAX_BATCH,
            writers=1 if sqlite else POSTGRES_WRITERS,
            linger=LINGER_SECONDS,
        )
        resources.extras[_INGEST] = ingest
    return ingest


#: Most deliveries one transaction takes (more wait for the next one).
MAX_BATCH = 100
#: Transactions in flight at once on PostgreSQL (each holds a pooled connection meanwhile).
POSTGRES_WRITERS = 3
#: Under load, how long a transaction may wait to fill up to the size of the last one (an idle
#: server never waits). 2 ms: long enough for a burst of answered clients to come back.
LINGER_SECONDS = 0.002


async def _store(session: AsyncSession, deliveries: Sequence[_Delivery]) -> list[None]:
    """Store a batch of deliveries; enqueue one turn per conversation touched, after commit."""
    touched = await inbox.accept_many(session, [(d.envelope, d.received_at) for d in deliveries])
    for delivery, conversation_ids in zip(deliveries, touched, strict=True):
        # Each turn carries the correlation id of the request that brought its message.
        with bind_correlation_id(delivery.correlation_id):
            for conversation_id in sorted(conversation_ids):
                enqueue_after_commit(
                    session, jobs.process_inbound, conversation_id=str(conversation_id)
                )
    return [None] * len(deliveries)


def _parse(body: bytes) -> WebhookEnvelope:
    try:
        return WebhookEnvelope.model_validate_json(body)
    except ValidationError as error:
        # The error text can quote the body (guest data): report only that it failed.
        raise MalformedPayload("body is not a WhatsApp webhook envelope") from error


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
