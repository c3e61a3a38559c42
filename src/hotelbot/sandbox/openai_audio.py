"""OpenAI's audio endpoints under `/sandbox/openai/v1/audio/`, written from OpenAI's published
API reference (https://platform.openai.com/docs/api-reference/audio):

- `POST /audio/transcriptions` (multipart `file`, `model`, optional `language`, `prompt`,
  `response_format` json | text | verbose_json, `include[]=logprobs`) answers `{"text": ...}`
  (with `logprobs` when asked, `language`/`duration` in verbose_json). The words come from our
  offline Whisper model: the sandbox stands in for the service, not for speech recognition.
- `POST /audio/speech` (JSON `model`, `input` ≤ 4096 chars, `voice`, `response_format`
  mp3 | opus | wav, default mp3) answers the audio bytes, spoken by espeak-ng.

Errors use OpenAI's documented body `{"error": {"message", "type", "param", "code"}}`.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.datastructures import UploadFile

from hotelbot.sandbox.openai_api import error_response
from hotelbot.voice.audio import encode_mp3, encode_ogg_opus
from hotelbot.voice.errors import VoiceError
from hotelbot.voice.offline import OfflineTranscriber
from hotelbot.voice.speech import EspeakSynthesiser, SpeechError

router = APIRouter(prefix="/sandbox/openai/v1/audio")
TRANSCRIPTION_MODELS = ("whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe")
SPEECH_MODELS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts")
VOICES = ("alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer")
LANGUAGES = ("en", "es", "de", "fr", "it", "pt")
#: What `/audio/speech` can answer, and its content type.
FORMATS = {"mp3": "audio/mpeg", "opus": "audio/ogg", "wav": "audio/wav"}
_NAMES = {"en": "english", "es": "spanish", "de": "german", "fr": "french", "it": "italian"}


def _authorised(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("bearer ")


def _invalid(message: str, param: str) -> JSONResponse:
    response = error_response(400, message)
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param}}
    body["error"]["code"] = None  # type: ignore[assignment]
    return JSONResponse(body, status_code=400, headers=dict(response.headers))


def _transcriber(request: Request) -> OfflineTranscriber:
    found: OfflineTranscriber | None = getattr(request.app.state, "openai_transcriber", None)
    if found is None:
        found = OfflineTranscriber(max_seconds=25 * 60)
        request.app.state.openai_transcriber = found
    return found


@router.post("/transcriptions")
async def transcriptions(request: Request) -> Response:
    if not _authorised(request):
        return error_response(401)
    form = await request.form()
    upload, model = form.get("file"), str(form.get("model") or "")
    if not isinstance(upload, UploadFile):
        return _invalid("Missing required parameter: 'file'.", "file")
    if model not in TRANSCRIPTION_MODELS:
        return _invalid(f"Invalid model: {model!r}.", "model")
    language = str(form.get("language") or "")
    fmt = str(form.get("response_format") or "json")
    try:
        heard = await _transcriber(request).transcribe(
            await upload.read(),
            mime_type=upload.content_type or "",
            languages=(language,) if language in LANGUAGES else LANGUAGES,
            hint=language or None,
            budget_seconds=60,
        )
        text, spoken, duration, confidence = (
            heard.text, heard.language, heard.duration, heard.confidence,
        )  # fmt: skip
    except VoiceError as exc:
        if exc.code != "no_speech":
            return _invalid("Audio file might be corrupted or unsupported", "file")
        text, spoken, duration, confidence = "", language or "en", 0.0, 0.0
    if fmt == "text":
        return PlainTextResponse(text)
    body: dict[str, Any] = {"text": text}
    if "logprobs" in form.getlist("include[]") and text:
        # One entry per word, each with the note's mean probability (the model's own measure).
        body["logprobs"] = [
            {"token": w, "logprob": math.log(max(confidence, 1e-6)), "bytes": list(w.encode())}
            for w in text.split()
        ]
    if fmt == "verbose_json":
        body |= {"task": "transcribe", "language": _NAMES.get(spoken, spoken)}
        body |= {"duration": duration, "segments": []}
    return JSONResponse(body)


@router.post("/speech")
async def speech(request: Request) -> Response:
    if not _authorised(request):
        return error_response(401)
    try:
        body = await request.json()
    except ValueError:
        return _invalid("We could not parse the JSON body of your request.", "body")
    text, fmt = body.get("input"), body.get("response_format", "mp3")
    if body.get("model") not in SPEECH_MODELS:
        return _invalid(f"Invalid model: {body.get('model')!r}.", "model")
    if not isinstance(text, str) or not 0 < len(text) <= 4096:
        return _invalid("'input' must be 1 to 4096 characters.", "input")
    if body.get("voice") not in VOICES:
        return _invalid(f"Invalid voice: {body.get('voice')!r}.", "voice")
    if fmt not in FORMATS:
        return _invalid(f"Unsupported response_format: {fmt!r}.", "response_format")
    language = str(body.get("language") or "en")  # not in OpenAI's API: espeak needs a voice
    try:
        wav = await EspeakSynthesiser().wav(text, language=language)
    except SpeechError:
        return error_response(500)
    audio = wav if fmt == "wav" else encode_ogg_opus(wav) if fmt == "opus" else encode_mp3(wav)
    return Response(audio, media_type=FORMATS[fmt])


def install_openai_audio(app: FastAPI) -> None:
    app.include_router(router)
