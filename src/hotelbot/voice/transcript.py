"""What every transcriber returns, and the Protocol they satisfy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Transcript:
    #: The words heard. Personal data: never log it.
    text: str = field(repr=False)
    #: ISO 639-1 code of the language heard.
    language: str
    #: 0..1: how sure the recogniser is of the words (mean token probability).
    confidence: float
    #: Seconds of audio.
    duration: float
    #: Which transcriber heard it ("offline").
    engine: str
    #: The time budget ran out before the end of the note: `text` is its beginning only.
    partial: bool = False


class Transcriber(Protocol):
    """Turns a voice note into words; raises a `voice.errors.VoiceError` when it cannot."""

    engine: str

    async def transcribe(
        self,
        data: bytes,
        *,
        mime_type: str,
        languages: Sequence[str],
        hint: str | None,
        budget_seconds: float,
    ) -> Transcript: ...
