"""Voice notes through the whole product: what is kept, and a polite reason for every note the
bot cannot hear (too large, too long, undecodable, silence, music, an expired media id, a
failed download). Nothing is lost: each note is stored, consumed by a turn and answered."""

from __future__ import annotations

import base64
import io
import re

import av
import numpy as np
import pytest
from sqlalchemy import select, text, update

from hotelbot.engine.texts import render
from hotelbot.kit.db import session_scope
from hotelbot.models import Direction, Message, MessageStatus, Property
from hotelbot.sandbox import DEMO_PHONE_NUMBER_ID
from hotelbot.settings import Settings
from hotelbot.voice.offline import OfflineTranscriber
from hotelbot.voice.quality import word_error_rate
from hotelbot.voice.speech import speakable
from tests.conversations.harness import BotReply, Stack
from tests.voice.samples import ogg_opus, tone, voice_note

SPANISH_GUEST = "34600100399"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Small limits so the tests need neither a 16 MB file nor two minutes of speech.
    settings.voice.max_seconds = 6
    settings.voice.max_bytes = 200_000
    return settings


async def _inbound(stack: Stack) -> Message:
    async with stack.resources.sessionmaker() as session:
        query = select(Message).where(Message.direction == Direction.INBOUND)
        (message,) = (await session.execute(query)).scalars()
    return message


def _said(replies: list[BotReply], key: str) -> None:
    assert replies, "the bot did not answer"
    assert replies[0].body == render("es", key), replies[0].body


async def test_a_transcript_is_kept_encrypted_and_the_audio_is_not(stack: Stack) -> None:
    note = voice_note("What time is breakfast?", "en")
    replies = await stack.speak("447700900398", note, name="Ann")
    assert "07:00" in replies[0].body
    message = await _inbound(stack)
    assert message.status == MessageStatus.PROCESSED
    assert "breakfast" in (message.text or "").lower()
    heard = (message.payload or {})["hotelbot_heard"]
    assert heard["language"] == "en" and 0 < heard["confidence"] <= 1
    raw = text("SELECT text, payload FROM messages WHERE direction = 'in'")
    async with stack.resources.engine.connect() as conn:
        stored = (await conn.execute(raw)).one()
    assert "breakfast" not in stored.text.lower() and "breakfast" not in stored.payload.lower()
    # Only the media id is stored: the bytes stay at Meta (the sandbox), never in our database.
    assert len(stored.payload) < len(note) / 4


async def test_silence_gets_a_polite_no_words_reply(stack: Stack) -> None:
    silence = ogg_opus(np.zeros(3 * 22_050, dtype=np.float32))
    _said(await stack.speak(SPANISH_GUEST, silence, name="Eva"), "voice.no_speech")
    assert (await _inbound(stack)).status == MessageStatus.PROCESSED


async def test_music_without_words_gets_the_no_words_reply(stack: Stack) -> None:
    _said(await stack.speak(SPANISH_GUEST, ogg_opus(tone(4.0)), name="Eva"), "voice.no_speech")


async def test_a_note_over_the_duration_cap_is_refused_politely(stack: Stack) -> None:
    long_note = voice_note("Hola. " * 12 + "Quiero reservar una habitación.", "es")
    _said(await stack.speak(SPANISH_GUEST, long_note, name="Eva"), "voice.too_long")


async def test_a_note_over_the_size_limit_is_not_downloaded(stack: Stack) -> None:
    big = voice_note("Hola", "es") + b"\0" * 200_000
    _said(await stack.speak(SPANISH_GUEST, big, name="Eva"), "voice.too_large")


async def test_audio_that_cannot_be_decoded_gets_the_format_reply(stack: Stack) -> None:
    garbled = b"OggS" + b"\x13" * 500
    _said(await stack.speak(SPANISH_GUEST, garbled, name="Eva"), "voice.unsupported")


async def test_an_expired_media_id_asks_the_guest_to_send_it_again(stack: Stack) -> None:
    media_id = stack.sandbox.store_media(
        DEMO_PHONE_NUMBER_ID, voice_note("Hola", "es"), "audio/ogg; codecs=opus", "voice.ogg"
    )
    assert (await stack.client.post(f"/sandbox/api/media/{media_id}/expire")).status_code == 200
    audio = {"id": media_id, "mime_type": "audio/ogg; codecs=opus", "voice": True}
    await stack.sandbox.receive_from_guest(
        wa_id=SPANISH_GUEST, name="Eva", content={"type": "audio", "audio": audio}
    )
    await stack.settle()
    _said(await stack._new_replies(SPANISH_GUEST), "voice.unavailable")
    message = await _inbound(stack)
    assert message.status == MessageStatus.PROCESSED
    assert (message.payload or {})["hotelbot_heard"]["problem"] == "unavailable"


async def test_a_failed_download_asks_the_guest_to_send_it_again(stack: Stack) -> None:
    stack.sandbox.faults.media_download_failure = True
    _said(
        await stack.speak(SPANISH_GUEST, voice_note("Hola", "es"), name="Eva"),
        "voice.unavailable",
    )


def _words(text_: str) -> list[str]:
    return re.findall(r"[\w']+", speakable(text_, "en").lower().replace("-", " "))


async def test_a_guest_who_spoke_gets_the_text_and_then_the_same_words_as_a_voice_note(
    stack: Stack,
) -> None:
    await stack.speak("447700900397", voice_note("Is there a swimming pool?", "en"), name="Ann")
    sent = (await stack.client.get("/sandbox/api/sent")).json()
    assert [s["type"] for s in sent] == ["text", "audio"]
    said = sent[0]["payload"]["text"]["body"]
    media_id = sent[1]["payload"]["audio"]["id"]
    ogg = (await stack.client.get(f"/sandbox/api/media/{media_id}")).content
    with av.open(io.BytesIO(ogg)) as container:
        assert container.format.name == "ogg"
        assert container.streams.audio[0].codec_context.name == "opus"
    heard = await OfflineTranscriber(max_seconds=120).transcribe(
        ogg, mime_type="audio/ogg", languages=("en",), hint="en", budget_seconds=60
    )
    assert word_error_rate(_words(said), _words(heard.text)) <= 0.25, (said, heard.text)


async def test_a_property_can_switch_voice_replies_off(stack: Stack) -> None:
    async with session_scope(stack.resources.sessionmaker) as session:
        await session.execute(update(Property).values(voice_replies=False))
    await stack.speak("447700900396", voice_note("Is there a swimming pool?", "en"), name="Ann")
    sent = (await stack.client.get("/sandbox/api/sent")).json()
    assert [s["type"] for s in sent] == ["text"]


async def test_a_guest_who_typed_gets_no_voice_note(stack: Stack) -> None:
    await stack.send("447700900395", {"text": "Is there a swimming pool?"})
    sent = (await stack.client.get("/sandbox/api/sent")).json()
    assert [s["type"] for s in sent] == ["text"]


async def test_a_property_that_asks_keeps_the_audio_encrypted(stack: Stack) -> None:
    async with session_scope(stack.resources.sessionmaker) as session:
        await session.execute(update(Property).values(keep_voice_audio=True))
    note = voice_note("What time is breakfast?", "en")
    await stack.speak("447700900394", note, name="Ann")
    kept = ((await _inbound(stack)).payload or {})["hotelbot_audio"]
    assert base64.b64decode(kept["base64"]) == note
    raw = text("SELECT payload FROM messages WHERE direction = 'in'")
    async with stack.resources.engine.connect() as conn:
        assert kept["base64"][:40] not in (await conn.execute(raw)).scalar_one()
