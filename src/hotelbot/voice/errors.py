"""Why a voice note could not be understood: each maps to a polite reply (text key `voice.<code>`).

Raised by `audio.decode` and the transcribers; `conversation/voice.py` stores the code on the
message and the engine answers with the matching sentence in the guest's language.
"""

from __future__ import annotations

from hotelbot.errors import InvalidInput


class VoiceError(InvalidInput):
    """A voice note we cannot turn into words; `code` names the reply the guest gets."""

    code = "voice_failed"


class TooLarge(VoiceError):
    code = "too_large"


class TooLong(VoiceError):
    code = "too_long"


class UnsupportedAudio(VoiceError):
    code = "unsupported"


class NoSpeech(VoiceError):
    """Silence, music or noise: nothing that reads as words."""

    code = "no_speech"


class MediaUnavailable(VoiceError):
    """The media id expired or the download failed: the guest has to send it again."""

    code = "unavailable"


class TranscriberUnavailable(VoiceError):
    """No transcriber is installed or configured (the `voice` extra is missing)."""

    code = "off"
