"""The OpenAI path with the official SDK against the sandbox's OpenAI-compatible audio API, and
the offline fallback when the service fails."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import av
import httpx
import openai
import pytest
from fastapi import FastAPI

from hotelbot.sandbox.openai_audio import install_openai_audio
from hotelbot.voice.engines import FallbackSynthesiser
from hotelbot.voice.offline import OfflineTranscriber
from hotelbot.voice.openai_audio import FallbackTranscriber, OpenAiSynthesiser, OpenAiTranscriber
from hotelbot.voice.speech import EspeakSynthesiser
from tests.voice.samples import voice_note

LANGUAGES = ("en", "es", "de", "fr", "it", "pt")


def _app() -> FastAPI:
    app = FastAPI()
    install_openai_audio(app)
    return app


@pytest.fixture
async def client() -> AsyncIterator[openai.AsyncOpenAI]:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport) as http:
        yield openai.AsyncOpenAI(
            api_key="sk-test", base_url="http://sandbox.test/sandbox/openai/v1", http_client=http
        )


async def _hear(transcriber: object, note: bytes) -> object:
    return await transcriber.transcribe(  # type: ignore[attr-defined]
        note, mime_type="audio/ogg; codecs=opus", languages=LANGUAGES, hint="en", budget_seconds=60
    )


async def test_a_note_is_transcribed_through_the_openai_api(client: openai.AsyncOpenAI) -> None:
    transcriber = OpenAiTranscriber(client, model="gpt-4o-mini-transcribe")
    heard = await _hear(transcriber, voice_note("Is there a swimming pool?", "en"))
    assert "swimming pool" in heard.text.lower()  # type: ignore[attr-defined]
    assert heard.engine == "openai" and 0 < heard.confidence <= 1  # type: ignore[attr-defined]


async def test_the_offline_model_answers_when_the_service_fails() -> None:
    failing = httpx.MockTransport(lambda request: httpx.Response(503, json={"error": {}}))
    async with httpx.AsyncClient(transport=failing) as http:
        broken = openai.AsyncOpenAI(
            api_key="k", base_url="http://down.test/v1", http_client=http, max_retries=0
        )
        transcriber = FallbackTranscriber(
            OpenAiTranscriber(broken, model="whisper-1"), OfflineTranscriber(max_seconds=60)
        )
        heard = await _hear(transcriber, voice_note("Is there a swimming pool?", "en"))
    assert heard.engine == "offline"  # type: ignore[attr-defined]
    assert "swimming pool" in heard.text.lower()  # type: ignore[attr-defined]


async def test_a_reply_is_spoken_through_the_openai_api_as_ogg_opus(
    client: openai.AsyncOpenAI,
) -> None:
    voice = OpenAiSynthesiser(client, model="gpt-4o-mini-tts", voice="alloy")
    audio = await voice.synthesise("Your room is ready.", language="en")
    with av.open(io.BytesIO(audio)) as container:
        assert (container.format.name, container.streams.audio[0].codec_context.name) == (
            "ogg",
            "opus",
        )


async def test_the_sandbox_refuses_a_bad_voice_like_openai(client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError):
        await client.audio.speech.create(model="tts-1", voice="nobody", input="Hi")  # type: ignore[arg-type]


async def test_espeak_speaks_when_the_speech_service_fails() -> None:
    failing = httpx.MockTransport(lambda request: httpx.Response(500, json={"error": {}}))
    async with httpx.AsyncClient(transport=failing) as http:
        broken = openai.AsyncOpenAI(
            api_key="k", base_url="http://down.test/v1", http_client=http, max_retries=0
        )
        voice = FallbackSynthesiser(
            OpenAiSynthesiser(broken, model="tts-1", voice="alloy"), EspeakSynthesiser()
        )
        audio = await voice.synthesise("Your room is ready.", language="en")
    assert audio[:4] == b"OggS"
