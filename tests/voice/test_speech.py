"""Voice replies: espeak-ng speaks each of the six languages as an OGG/Opus voice note."""

from __future__ import annotations

import io

import av
import pytest

from hotelbot.voice.speech import VOICES, EspeakSynthesiser, SpeechError, speakable


@pytest.mark.parametrize("language", sorted(VOICES))
async def test_every_language_is_spoken_as_a_mono_ogg_opus_note(language: str) -> None:
    ogg = await EspeakSynthesiser().synthesise("Hotel Miramar, 2 noites.", language=language)
    with av.open(io.BytesIO(ogg)) as container:
        (stream,) = container.streams.audio
        assert (container.format.name, stream.codec_context.name) == ("ogg", "opus")
        assert stream.channels == 1
        assert container.duration is not None and container.duration > 500_000  # > 0.5 s


@pytest.mark.parametrize(
    ("written", "language", "said"),
    [
        ("Breakfast 07:00 to 10:30", "en", "Breakfast 7 to 10 30"),
        ("Parking: €18 per night", "en", "Parking: 18 euros per night"),
        ("Garage 18 € pro Nacht", "de", "Garage 18 Euro pro Nacht"),
        ("Total: 285,00 EUR", "es", "Total: 285,00 euros"),
    ],
)
def test_times_and_euros_are_written_as_they_are_said(
    written: str, language: str, said: str
) -> None:
    assert speakable(written, language) == said


async def test_a_missing_espeak_is_a_speech_error() -> None:
    with pytest.raises(SpeechError):
        await EspeakSynthesiser(binary="/nonexistent/espeak-ng").synthesise("Hi", language="en")
