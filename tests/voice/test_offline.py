"""The offline transcriber: the packaged Whisper model, on espeak-ng speech."""

from __future__ import annotations

import numpy as np
import pytest

from hotelbot.voice.errors import NoSpeech, TooLong
from hotelbot.voice.offline import OfflineTranscriber
from tests.voice.samples import ogg_opus, tone, voice_note

LANGUAGES = ("en", "es", "de", "fr", "it", "pt")


@pytest.fixture(scope="module")
def transcriber() -> OfflineTranscriber:
    return OfflineTranscriber(max_seconds=30)


async def _hear(transcriber: OfflineTranscriber, note: bytes, hint: str | None = None):  # type: ignore[no-untyped-def]
    return await transcriber.transcribe(
        note, mime_type="audio/ogg", languages=LANGUAGES, hint=hint, budget_seconds=30
    )


async def test_a_clear_english_note_is_transcribed_with_language_and_confidence(
    transcriber: OfflineTranscriber,
) -> None:
    heard = await _hear(transcriber, voice_note("Is there a swimming pool?", "en"))
    assert heard.text.lower().rstrip("?.") == "is there a swimming pool"
    assert (heard.language, heard.engine, heard.partial) == ("en", "offline", False)
    assert 0.4 < heard.confidence <= 1.0
    assert 1.0 < heard.duration < 4.0


async def test_noise_does_not_stop_a_clear_note(transcriber: OfflineTranscriber) -> None:
    heard = await _hear(transcriber, voice_note("Is there a swimming pool?", "en", snr_db=20))
    assert "swimming pool" in heard.text.lower()


async def test_the_language_is_one_of_the_hotels_and_the_conversations_is_kept(
    transcriber: OfflineTranscriber,
) -> None:
    # Whisper hears robotic French as English or Latin; the conversation's language stands.
    heard = await _hear(transcriber, voice_note("Bonjour, avez-vous un parking ?", "fr"), hint="fr")
    assert heard.language == "fr"
    assert "parking" in heard.text.lower()


async def test_silence_has_no_words(transcriber: OfflineTranscriber) -> None:
    with pytest.raises(NoSpeech):
        await _hear(transcriber, ogg_opus(np.zeros(22_050 * 2, dtype=np.float32)))


async def test_music_has_no_words(transcriber: OfflineTranscriber) -> None:
    with pytest.raises(NoSpeech):
        await _hear(transcriber, ogg_opus(tone(4.0)))


async def test_a_note_over_the_cap_is_too_long() -> None:
    short = OfflineTranscriber(max_seconds=1)
    with pytest.raises(TooLong):
        await _hear(short, voice_note("This is more than one second of speech.", "en"))
