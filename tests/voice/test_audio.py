"""Decoding voice notes and encoding voice replies with PyAV (no ffmpeg binary)."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest

from hotelbot.voice.audio import SAMPLE_RATE, decode, encode_ogg_opus
from hotelbot.voice.errors import TooLong, UnsupportedAudio
from tests.voice.samples import speech_wav, voice_note


def test_an_ogg_opus_voice_note_decodes_to_16_khz_mono() -> None:
    decoded = decode(voice_note("Hello, one two three.", "en"), max_seconds=60)
    assert decoded.codec == "opus"
    assert decoded.samples.dtype == np.float32 and decoded.samples.ndim == 1
    assert 1.0 < decoded.duration < 5.0
    assert len(decoded.samples) == round(decoded.duration * SAMPLE_RATE)
    assert float(np.abs(decoded.samples).max()) > 0.05


def test_other_containers_decode_too() -> None:
    assert decode(speech_wav("Hola", "es"), max_seconds=60).codec == "pcm_s16le"


@pytest.mark.parametrize("data", [b"", b"not audio at all", b"OggS" + b"\x13" * 300])
def test_anything_that_is_not_audio_is_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedAudio):
        decode(data, max_seconds=60)


def test_a_note_over_the_cap_stops_decoding_with_too_long() -> None:
    with pytest.raises(TooLong):
        decode(voice_note("This sentence takes a few seconds to say.", "en"), max_seconds=1)


def test_a_reply_is_encoded_as_mono_ogg_opus() -> None:
    ogg = encode_ogg_opus(speech_wav("Your booking is confirmed.", "en"))
    with av.open(io.BytesIO(ogg)) as container:
        assert container.format.name == "ogg"
        (stream,) = container.streams.audio
        assert (stream.codec_context.name, stream.channels) == ("opus", 1)
