"""Decode a voice note to 16 kHz mono samples, and encode speech as an OGG/Opus voice note.

PyAV carries its own FFmpeg libraries (libopus included), so no ffmpeg binary is needed.
WhatsApp voice notes are OGG/Opus; AAC, AMR, MP3 and MP4 audio (also allowed by Meta) and WAV
decode the same way. Anything PyAV cannot read, or a file without an audio stream, is
`UnsupportedAudio`; a note longer than the cap is `TooLong` before it is fully decoded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import cast

import av
import numpy as np
import numpy.typing as npt

from hotelbot.voice.errors import TooLong, UnsupportedAudio

#: Whisper's input rate.
SAMPLE_RATE = 16_000
#: Opus always runs at 48 kHz inside; WhatsApp's own voice notes are mono.
OPUS_RATE = 48_000
OPUS_BITRATE = 32_000

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Decoded:
    samples: Samples
    #: Seconds of audio.
    duration: float
    codec: str


def decode(data: bytes, *, max_seconds: float) -> Decoded:
    """Mono float32 samples at 16 kHz. Raises `UnsupportedAudio` or `TooLong`."""
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.FFmpegError, ValueError) as exc:
        raise UnsupportedAudio(f"not readable audio: {type(exc).__name__}") from None
    with container:
        if not container.streams.audio:
            raise UnsupportedAudio("no audio stream")
        stream = container.streams.audio[0]
        codec = stream.codec_context.name
        chunks = _resampled(container, stream, max_samples=int(max_seconds * SAMPLE_RATE))
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    return Decoded(samples=samples, duration=len(samples) / SAMPLE_RATE, codec=codec)


def _resampled(
    container: av.container.InputContainer, stream: av.AudioStream, *, max_samples: int
) -> list[Samples]:
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    chunks: list[Samples] = []
    total = 0
    try:
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunk = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                chunks.append(chunk)
                total += len(chunk)
            if total > max_samples:
                raise TooLong(f"voice note longer than {max_samples // SAMPLE_RATE} s")
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
    except av.FFmpegError as exc:
        raise UnsupportedAudio(f"undecodable audio: {type(exc).__name__}") from None
    return chunks


def encode_ogg_opus(data: bytes) -> bytes:
    """Any audio PyAV reads (espeak-ng's WAV, OpenAI's MP3) as a mono OGG/Opus voice note."""
    return _encode(data, "ogg", "libopus", rate=OPUS_RATE, layout="s16", bit_rate=OPUS_BITRATE)


def encode_mp3(data: bytes) -> bytes:
    """Any audio PyAV reads as mono MP3 (what OpenAI's speech API answers by default)."""
    return _encode(data, "mp3", "mp3", rate=24_000, layout="s16p", bit_rate=None)


def _encode(
    data: bytes, container: str, codec: str, *, rate: int, layout: str, bit_rate: int | None
) -> bytes:
    source = av.open(io.BytesIO(data), mode="r")
    target = io.BytesIO()
    with source, av.open(target, mode="w", format=container) as output:
        stream = cast(av.AudioStream, output.add_stream(codec, rate=rate, layout="mono"))
        if bit_rate is not None:
            stream.bit_rate = bit_rate
        resampler = av.AudioResampler(format=layout, layout="mono", rate=rate)
        for frame in source.decode(audio=0):
            for out in resampler.resample(frame):
                output.mux(stream.encode(out))
        for out in resampler.resample(None):
            output.mux(stream.encode(out))
        output.mux(stream.encode(None))
    return target.getvalue()
