"""OpenAI's transcription and speech APIs (or any OpenAI-compatible server), through the
official `openai` SDK, each with the offline engine behind it as the fallback.

Transcription asks for `logprobs` so a transcript has a confidence like the offline one (the
mean token probability); the language is left for the engine to read from the words, since
the API's JSON does not name it. Any API failure (timeout, 4xx/5xx, a connection error) is
logged and the note goes to the offline transcriber, or the reply to espeak-ng.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import openai
import structlog

from hotelbot.settings import VoiceSettings
from hotelbot.voice.errors import NoSpeech, TranscriberUnavailable
from hotelbot.voice.transcript import Transcriber, Transcript

log = structlog.get_logger(__name__)


def client_from(settings: VoiceSettings) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        api_key=settings.openai_api_key.get_secret_value() or "unset",
        base_url=settings.openai_base_url or None,
        timeout=settings.timeout_seconds,
        max_retries=1,
    )


class OpenAiTranscriber:
    engine = "openai"

    def __init__(self, client: openai.AsyncOpenAI, *, model: str) -> None:
        self._client = client
        self._model = model

    async def transcribe(
        self,
        data: bytes,
        *,
        mime_type: str,
        languages: Sequence[str],
        hint: str | None,
        budget_seconds: float,
    ) -> Transcript:
        result = await self._client.audio.transcriptions.create(
            model=self._model,
            file=("voice.ogg", data, mime_type.split(";")[0] or "audio/ogg"),
            response_format="json",
            include=["logprobs"],
            timeout=budget_seconds,
        )
        text = result.text.strip()
        if not text:
            raise NoSpeech("no words in the voice note")
        logprobs = [p.logprob for p in (getattr(result, "logprobs", None) or [])]
        confidence = math.exp(sum(logprobs) / len(logprobs)) if logprobs else 0.0
        return Transcript(
            text=text, language="", confidence=round(confidence, 3), duration=0.0,
            engine=self.engine,
        )  # fmt: skip


class FallbackTranscriber:
    """The first transcriber; the second one when the first's service fails."""

    def __init__(self, primary: Transcriber, fallback: Transcriber | None) -> None:
        self.engine = primary.engine
        self._primary = primary
        self._fallback = fallback

    async def transcribe(
        self,
        data: bytes,
        *,
        mime_type: str,
        languages: Sequence[str],
        hint: str | None,
        budget_seconds: float,
    ) -> Transcript:
        arguments = {
            "mime_type": mime_type, "languages": languages, "hint": hint,
            "budget_seconds": budget_seconds,
        }  # fmt: skip
        try:
            return await self._primary.transcribe(data, **arguments)  # type: ignore[arg-type]
        except openai.OpenAIError as exc:
            log.warning("voice.openai.failed", error=type(exc).__name__, fallback="offline")
            if self._fallback is None:
                raise TranscriberUnavailable("transcription service failed") from None
            return await self._fallback.transcribe(data, **arguments)  # type: ignore[arg-type]


class OpenAiSynthesiser:
    """OpenAI's speech API, asked for `opus` (Opus in an OGG container: a voice note)."""

    engine = "openai"

    def __init__(self, client: openai.AsyncOpenAI, *, model: str, voice: str) -> None:
        self._client = client
        self._model = model
        self._voice = voice

    async def synthesise(self, text: str, *, language: str) -> bytes:
        response = await self._client.audio.speech.create(
            model=self._model, voice=self._voice, input=text[:4096], response_format="opus"
        )
        return response.content
