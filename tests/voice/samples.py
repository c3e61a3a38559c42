"""Guest speech for tests: espeak-ng speaks a sentence, optional noise is mixed in, and the
result is an OGG/Opus voice note as WhatsApp records it. Debian's espeak-ng must be installed
(`make test` and `.ci/run` install it)."""

from __future__ import annotations

import io
import subprocess

import av
import numpy as np

from hotelbot.voice.speech import VOICES

#: espeak-ng's WAV rate.
ESPEAK_RATE = 22_050


def speech_wav(text: str, language: str, *, rate: int = 130, gap: int = 4) -> bytes:
    """A careful speaker: a little slow, a short pause between words (`gap` times 10 ms)."""
    voice = VOICES[language]
    result = subprocess.run(
        ["espeak-ng", "-v", voice, "-s", str(rate), "-g", str(gap), "-b", "1", "--stdout"],
        input=text.encode(),
        capture_output=True,
        check=True,
    )
    return result.stdout


def samples_of(wav: bytes) -> np.ndarray:
    """16-bit mono samples of a WAV as float32 in -1..1."""
    with av.open(io.BytesIO(wav)) as container:
        frames = [f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]
    return np.concatenate(frames).astype(np.float32) / 32768.0


def with_noise(samples: np.ndarray, snr_db: float, *, seed: int = 7) -> np.ndarray:
    """Add white noise at `snr_db` signal-to-noise ratio (a café, a street)."""
    rng = np.random.default_rng(seed)
    power = float(np.mean(samples**2)) or 1e-9
    noise = rng.normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), len(samples))
    return np.clip(samples + noise, -1.0, 1.0).astype(np.float32)


def ogg_opus(samples: np.ndarray, rate: int = ESPEAK_RATE) -> bytes:
    """Mono float samples as an OGG/Opus voice note (48 kHz inside, like a phone's)."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="ogg") as output:
        stream = output.add_stream("libopus", rate=48_000, layout="mono")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
        pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = rate
        for out in [*resampler.resample(frame), *resampler.resample(None)]:
            output.mux(stream.encode(out))
        output.mux(stream.encode(None))
    return buffer.getvalue()


def voice_note(text: str, language: str, *, snr_db: float | None = None) -> bytes:
    """`text` spoken by espeak-ng in `language` as a voice note, with noise if `snr_db`."""
    samples = samples_of(speech_wav(text, language))
    if snr_db is not None:
        samples = with_noise(samples, snr_db)
    return ogg_opus(samples)


def tone(seconds: float, *, rate: int = ESPEAK_RATE) -> np.ndarray:
    """A few bars of chords and no words: what a note recorded next to a radio sounds like."""
    t = np.arange(int(seconds * rate)) / rate
    chords = [(261.6, 329.6, 392.0), (220.0, 261.6, 329.6), (174.6, 220.0, 261.6)]
    out = np.zeros_like(t)
    for i, chord in enumerate(chords * int(seconds)):
        start, end = int(i * rate / 1.5), int((i + 1) * rate / 1.5)
        for f in chord:
            out[start:end] += 0.2 * np.sin(2 * np.pi * f * t[start:end])
    return out.astype(np.float32)
