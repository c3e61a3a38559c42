"""Voice notes around the turn: the guest's words in, the bot's voice out.

`transcribe_pending()` is called by `jobs.process_inbound` before the turn, outside any
transaction or lock: a download and a model run take seconds and nothing of the conversation
waits on them. The words become the message's `text` (encrypted like typed text) and what was
heard (language, confidence, or why nothing was) goes into its stored payload under
`inbox.HEARD_KEY`, so the turn reads the note as text. The audio is not kept unless the
property asks (`keep_voice_audio`: then it goes, encrypted, into the same payload). Every
failure (too large, too long, undecodable, silence, an expired media id, a failed download)
is stored as a reason the guest is told about; none fails the job. Safe to run twice: a note
that already has `HEARD_KEY` is skipped.

`voice_reply()` speaks a turn's replies for a guest who spoke: the job queues the note behind
the same words in text, so a price, a list or a booking reference is never only heard.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hotelbot import metrics
from hotelbot.conversation.inbox import HEARD_KEY
from hotelbot.engine.replies import Buttons, ListMessage, Reply, Text
from hotelbot.engine.state import ConversationState
from hotelbot.engine.turn import TurnResult
from hotelbot.engine.understand.phone_language import language_for_number
from hotelbot.kit import redact
from hotelbot.kit.db import session_scope
from hotelbot.models import (
    Conversation,
    Direction,
    Guest,
    Message,
    MessageStatus,
    MessageType,
    Property,
)
from hotelbot.resources import Resources
from hotelbot.voice.errors import MediaUnavailable, TooLarge, VoiceError
from hotelbot.voice.transcript import Transcriber, Transcript
from hotelbot.whatsapp.errors import GraphApiError, MediaTooLarge

log = structlog.get_logger(__name__)

#: Where a kept voice note's audio goes in its stored (encrypted) payload.
AUDIO_KEY = "hotelbot_audio"
#: WhatsApp voice notes are OGG/Opus; Meta accepts uploads as `audio/ogg`.
VOICE_NOTE_TYPE = "audio/ogg"


@dataclass(frozen=True)
class _Note:
    id: uuid.UUID
    media_id: str | None
    mime_type: str


@dataclass(frozen=True)
class _Ear:
    """What the transcriber needs to know of the conversation."""

    languages: tuple[str, ...]
    #: The language the conversation is in so far (a prior, not a verdict).
    hint: str | None
    #: The property keeps guests' audio (encrypted) after transcription.
    keep_audio: bool = False


async def transcribe_pending(resources: Resources, conversation_id: uuid.UUID) -> int:
    """Transcribe the conversation's pending voice notes that have no transcript yet.

    Returns how many notes were handled. Commits its own short transactions.
    """
    transcriber = resources.voice.transcriber if resources.voice else None
    if transcriber is None:
        return 0  # the turn says the bot cannot listen ("voice.off")
    async with session_scope(resources.sessionmaker) as session:
        notes = await _untranscribed(session, conversation_id)
        ear = await _ear(session, conversation_id) if notes else None
    for note in notes:
        assert ear is not None
        heard, words, audio = await _hear(resources, transcriber, note, ear)
        async with session_scope(resources.sessionmaker) as session:
            await _keep(session, note.id, heard, words, audio if ear.keep_audio else None)
    return len(notes)


async def _untranscribed(session: AsyncSession, conversation_id: uuid.UUID) -> list[_Note]:
    query = select(Message).where(
        Message.conversation_id == conversation_id,
        Message.direction == Direction.INBOUND,
        Message.status == MessageStatus.PENDING,
        Message.type == MessageType.AUDIO,
    )
    notes = []
    # The payload is encrypted: the "already heard" check cannot be a WHERE clause.
    for message in (await session.execute(query)).scalars():
        payload = message.payload or {}
        if HEARD_KEY in payload:
            continue
        audio = payload.get("audio")
        audio = audio if isinstance(audio, dict) else {}
        notes.append(_Note(message.id, audio.get("id"), str(audio.get("mime_type") or "")))
    return notes


async def _ear(session: AsyncSession, conversation_id: uuid.UUID) -> _Ear:
    conversation = await session.get_one(Conversation, conversation_id)
    prop = await session.get_one(Property, conversation.property_id)
    guest = await session.get_one(Guest, conversation.guest_id)
    languages = tuple(prop.languages or ()) or (prop.default_language,)
    known = (
        ConversationState.from_json(conversation.state).language
        or guest.language
        or language_for_number(guest.phone)
    )
    return _Ear(
        languages=languages,
        hint=known if known in languages else None,
        keep_audio=prop.keep_voice_audio,
    )


async def _hear(
    resources: Resources, transcriber: Transcriber, note: _Note, ear: _Ear
) -> tuple[dict[str, Any], str | None, dict[str, str] | None]:
    """Download and transcribe one note: (what was heard, the words, the audio if kept)."""
    settings = resources.settings.voice
    started = time.perf_counter()
    audio = None
    try:
        data, mime_type = await _download(resources, note, max_bytes=settings.max_bytes)
        audio = {"mime_type": mime_type, "base64": base64.b64encode(data).decode()}
        transcript = await transcriber.transcribe(
            data,
            mime_type=mime_type,
            languages=ear.languages,
            hint=ear.hint,
            budget_seconds=settings.budget_seconds,
        )
    except VoiceError as exc:
        return _refused(transcriber.engine, exc.code, started), None, audio
    except Exception as exc:
        # A bug in a decoder or model must not cost the guest an answer.
        log.exception("voice.transcription.crashed", error=type(exc).__name__)
        return _refused(transcriber.engine, MediaUnavailable.code, started), None, audio
    return _heard(transcript, started), transcript.text, audio


async def _download(resources: Resources, note: _Note, *, max_bytes: int) -> tuple[bytes, str]:
    if note.media_id is None:
        raise MediaUnavailable("voice note without a media id")
    for attempt in (1, 2):
        try:
            return await resources.graph.download_media(note.media_id, max_bytes=max_bytes)
        except MediaTooLarge:
            raise TooLarge("voice note over the size limit") from None
        except GraphApiError as exc:
            # One quick second try for a network blip; an expired id (code 100) is final.
            if not exc.retryable or attempt == 2:
                log.warning("voice.download.failed", error=exc.code, graph_code=exc.graph_code)
                raise MediaUnavailable("voice note could not be downloaded") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _heard(transcript: Transcript, started: float) -> dict[str, Any]:
    seconds = time.perf_counter() - started
    metrics.VOICE_NOTES.labels(engine=transcript.engine, outcome="ok").inc()
    metrics.TRANSCRIPTION_DURATION.labels(engine=transcript.engine).observe(seconds)
    log.info(
        "voice.transcribed",
        engine=transcript.engine,
        language=transcript.language,
        confidence=transcript.confidence,
        audio_seconds=transcript.duration,
        seconds=round(seconds, 2),
        partial=transcript.partial,
    )
    return {
        "language": transcript.language,
        "confidence": transcript.confidence,
        "partial": transcript.partial,
        "duration": transcript.duration,
        "engine": transcript.engine,
    }


def _refused(engine: str, problem: str, started: float) -> dict[str, Any]:
    metrics.VOICE_NOTES.labels(engine=engine, outcome=problem).inc()
    log.info("voice.not_transcribed", engine=engine, problem=problem)
    return {"problem": problem, "engine": engine}


async def _keep(
    session: AsyncSession,
    message_id: uuid.UUID,
    heard: dict[str, Any],
    words: str | None,
    audio: dict[str, str] | None,
) -> None:
    message = await session.get(Message, message_id)
    if message is None or message.status != MessageStatus.PENDING:
        return  # a concurrent run got there first, or the turn already answered it
    payload = dict(message.payload or {})
    if HEARD_KEY in payload:
        return
    message.payload = payload | {HEARD_KEY: heard} | ({AUDIO_KEY: audio} if audio else {})
    if words:
        # Spoken card details are masked like typed ones: nothing stores the number.
        message.text = redact.redact_card_details(words).text
    await session.flush()


async def voice_reply(
    resources: Resources, conversation_id: uuid.UUID, result: TurnResult
) -> str | None:
    """The turn's words spoken and uploaded: the media id, or None when not wanted or failed.

    Wanted when the guest spoke, the property has `voice_replies` on and a voice is installed.
    Failing to speak is logged and leaves the text replies alone.
    """
    synthesiser = resources.voice.synthesiser if resources.voice else None
    words = spoken_words(result.replies)
    if not result.spoken or synthesiser is None or not words:
        return None
    async with session_scope(resources.sessionmaker) as session:
        conversation = await session.get_one(Conversation, conversation_id)
        prop = await session.get_one(Property, conversation.property_id)
        wanted, phone_number_id = prop.voice_replies, prop.phone_number_id
    if not wanted:
        return None
    try:
        audio = await synthesiser.synthesise(words, language=result.language or "en")
        media_id = await resources.graph.upload_media(
            phone_number_id, audio, VOICE_NOTE_TYPE, "reply.ogg"
        )
    except Exception as exc:
        metrics.VOICE_REPLIES.labels(outcome="failed").inc()
        log.warning("voice.reply.failed", engine=synthesiser.engine, error=type(exc).__name__)
        return None
    metrics.VOICE_REPLIES.labels(outcome="ok").inc()
    return media_id


def spoken_words(replies: Sequence[Reply]) -> str:
    """What a voice reply says: the bodies of texts, button messages and lists (not their rows,
    a map pin or a template, which are only shown)."""
    return "\n".join(r.body for r in replies if isinstance(r, Text | Buttons | ListMessage))
