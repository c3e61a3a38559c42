"""Offline speech: Debian's espeak-ng speaks a reply, PyAV makes it an OGG/Opus voice note.

espeak-ng has voices for all six languages we answer in and needs no model; it sounds robotic
but is clear when it speaks slowly with short pauses, and when clock times and euro amounts are
written the way people say them ("09:00" is read digit by digit otherwise). The text goes to
espeak-ng on stdin (never on the command line) and the WAV it writes is encoded in a thread.
"""

from __future__ import annotations

import asyncio
import re
import shutil

from hotelbot.voice.audio import encode_ogg_opus

#: espeak-ng voice per language we answer in.
VOICES = {"en": "en-us", "es": "es", "de": "de", "fr": "fr-fr", "it": "it", "pt": "pt"}
#: Words per minute and pause between words (10 ms units): slower than espeak-ng's 175 and
#: gapless default, easier to follow on a phone.
RATE = 130
GAP = 4
#: How "€" is said after an amount, per language.
EUROS = {"en": "euros", "es": "euros", "de": "Euro", "fr": "euros", "it": "euro", "pt": "euros"}
_FULL_HOUR = re.compile(r"\b0?(\d{1,2}):00\b")
_CLOCK = re.compile(r"\b0?(\d{1,2}):(\d\d)\b")
_EURO_BEFORE = re.compile(r"€\s?(\d+(?:[.,]\d+)?)")
_EURO_AFTER = re.compile(r"(\d+(?:[.,]\d+)?)\s?(?:€|EUR\b)")


def speakable(text: str, language: str) -> str:
    """Clock times and euro amounts as people say them: "09:00" → "9", "€20" → "20 euros"."""
    euros = EUROS.get(language, "euros")
    text = _EURO_BEFORE.sub(lambda m: f"{m.group(1)} {euros}", text)
    text = _EURO_AFTER.sub(lambda m: f"{m.group(1)} {euros}", text)
    text = _FULL_HOUR.sub(r"\1", text)
    return _CLOCK.sub(r"\1 \2", text)


class SpeechError(Exception):
    """espeak-ng failed or is missing; the text reply stands alone."""


class EspeakSynthesiser:
    engine = "espeak-ng"

    def __init__(self, *, binary: str = "espeak-ng", rate: int = RATE, gap: int = GAP) -> None:
        self._binary = binary
        self._rate = rate
        self._gap = gap

    @staticmethod
    def available(binary: str = "espeak-ng") -> bool:
        return shutil.which(binary) is not None

    async def synthesise(self, text: str, *, language: str) -> bytes:
        """`text` spoken in `language`, as OGG/Opus bytes."""
        wav = await self.wav(speakable(text, language), language=language)
        return await asyncio.to_thread(encode_ogg_opus, wav)

    async def wav(self, text: str, *, language: str) -> bytes:
        voice = VOICES.get(language, "en-us")
        try:
            process = await asyncio.create_subprocess_exec(
                self._binary, "-v", voice, "-s", str(self._rate), "-g", str(self._gap),
                "-b", "1", "--stdout",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
        except OSError as exc:
            raise SpeechError(f"espeak-ng not runnable: {type(exc).__name__}") from None
        wav, _ = await process.communicate(text.encode())
        if process.returncode != 0 or len(wav) <= 44:
            raise SpeechError(f"espeak-ng exited {process.returncode}")
        return wav
