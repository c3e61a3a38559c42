"""Which transcriber and which voice a process uses, from `settings.voice`: built once per
process into `Resources.voice`.

Offline is the default and needs the `voice` extra (and Debian's espeak-ng for speaking);
OpenAI's audio APIs are used when configured, with the offline pieces as their fallback. A
missing piece leaves its slot empty, and
the bot then says it cannot listen (or answers in text only), never fails a turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import structlog

from hotelbot.settings import TranscriptionEngine, VoiceSettings
from hotelbot.voice.transcript import Transcriber

log = structlog.get_logger(__name__)


class Synthesiser(Protocol):
    engine: str

    async def synthesise(self, text: str, *, language: str) -> bytes:
        """`text` spoken in `language`, as OGG/Opus bytes; raises on failure."""
        ...


@dataclass
class Voice:
    transcriber: Transcriber | None
    synthesiser: Synthesiser | None
    settings: VoiceSettings


def voice_from(settings: VoiceSettings) -> Voice:
    return Voice(
        transcriber=_transcriber(settings), synthesiser=_synthesiser(settings), settings=settings
    )


def _transcriber(settings: VoiceSettings) -> Transcriber | None:
    if settings.transcription is TranscriptionEngine.OFF:
        return None
    offline: Transcriber | None = None
    from hotelbot.voice.offline import OfflineTranscriber

    if OfflineTranscriber.available():
        offline = OfflineTranscriber(
            max_seconds=settings.max_seconds,
            cpu_threads=settings.cpu_threads,
            beam_size=settings.beam_size,
        )
    else:
        log.warning("voice.offline.unavailable", hint="install the voice extra: make sync")
    if settings.transcription is TranscriptionEngine.OPENAI:
        from hotelbot.voice.openai_audio import FallbackTranscriber, OpenAiTranscriber, client_from

        primary = OpenAiTranscriber(
            client_from(settings), model=settings.openai_transcription_model
        )
        return FallbackTranscriber(primary, offline)
    return offline


def _synthesiser(settings: VoiceSettings) -> Synthesiser | None:
    from hotelbot.voice.speech import EspeakSynthesiser

    espeak = EspeakSynthesiser() if EspeakSynthesiser.available() else None
    if settings.openai_speech:
        from hotelbot.voice.openai_audio import OpenAiSynthesiser, client_from

        primary = OpenAiSynthesiser(
            client_from(settings),
            model=settings.openai_speech_model,
            voice=settings.openai_voice,
        )
        return FallbackSynthesiser(primary, espeak)
    return espeak


class FallbackSynthesiser:
    """The first voice; the second one when the first fails (the reply is then espeak-ng's)."""

    def __init__(self, primary: Synthesiser, fallback: Synthesiser | None) -> None:
        self.engine = primary.engine
        self._primary = primary
        self._fallback = fallback

    async def synthesise(self, text: str, *, language: str) -> bytes:
        try:
            return await self._primary.synthesise(text, language=language)
        except Exception as exc:
            if self._fallback is None:
                raise
            log.warning("voice.speech.failed", engine=self.engine, error=type(exc).__name__)
            return await self._fallback.synthesise(text, language=language)
