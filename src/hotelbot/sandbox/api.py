"""The sandbox's own API under `/sandbox/api/` (faults, sent, refused, guest messages,
conversations) and the guest simulator page at `/sandbox/`. Documented in `docs/sandbox.md`.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field, model_validator

from hotelbot.sandbox import DEMO_DISPLAY_NUMBER, DEMO_PHONE_NUMBER_ID, meta
from hotelbot.sandbox.state import Faults, Sandbox

router = APIRouter(prefix="/sandbox")
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


class FaultsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    throttle_rate: float = Field(default=0.0, ge=0, le=1)
    server_error_rate: float = Field(default=0.0, ge=0, le=1)
    outside_window: bool = False
    statuses: bool = True
    status_delay_ms: int = Field(default=300, ge=0, le=60_000)
    seed: int | None = None
    media_download_failure: bool = False

    @model_validator(mode="after")
    def _rates(self) -> FaultsIn:
        if self.throttle_rate + self.server_error_rate > 1:
            raise ValueError("throttle_rate + server_error_rate must be at most 1")
        return self


class GuestMessageIn(BaseModel):
    """One guest action: text, a reply-button tap, a list-row pick, or a location."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from", pattern=r"^[1-9]\d{5,14}$")
    name: str = Field(default="Guest", min_length=1, max_length=100)
    phone_number_id: str = Field(default=DEMO_PHONE_NUMBER_ID, pattern=r"^\d+$")
    text: str | None = Field(default=None, min_length=1, max_length=4096)
    button_id: str | None = None
    row_id: str | None = None
    title: str | None = None
    description: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    location_name: str | None = None
    address: str | None = None
    #: The bot message a tap answers; found automatically when left out.
    context_wamid: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> GuestMessageIn:
        kinds = [self.text, self.button_id, self.row_id, self.latitude]
        if sum(k is not None for k in kinds) != 1:
            raise ValueError("give exactly one of text, button_id, row_id, latitude/longitude")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        return self


#: Guest voice notes up to this size are delivered (larger than Meta's 16 MB, so that the bot's
#: own limit can be exercised).
MAX_GUEST_AUDIO_BYTES = 32 * 1024 * 1024


@router.post("/api/voice", status_code=202)
async def post_guest_voice(
    request: Request,
    file: UploadFile,
    from_: Annotated[str, Form(alias="from", pattern=r"^[1-9]\d{5,14}$")],
    name: Annotated[str, Form(min_length=1, max_length=100)] = "Guest",
    phone_number_id: Annotated[str, Form(pattern=r"^\d+$")] = DEMO_PHONE_NUMBER_ID,
    mime_type: Annotated[str | None, Form(max_length=100)] = None,
) -> JSONResponse:
    """A guest records a voice note: the file becomes Meta-held media, the bot gets an `audio`
    message (`voice: true`) naming its id, exactly as from a phone."""
    sandbox = _sandbox(request)
    data = await file.read()
    if not data or len(data) > MAX_GUEST_AUDIO_BYTES:
        raise HTTPException(422, f"a voice note has 1 to {MAX_GUEST_AUDIO_BYTES} bytes")
    mime = mime_type or file.content_type or "audio/ogg; codecs=opus"
    media_id = sandbox.store_media(phone_number_id, data, mime, file.filename or "voice.ogg")
    audio = {"mime_type": mime, "sha256": hashlib.sha256(data).hexdigest(), "id": media_id}
    event, status = await sandbox.receive_from_guest(
        wa_id=from_,
        name=name,
        content={"type": "audio", "audio": audio | {"voice": True}},
        phone_number_id=phone_number_id,
    )
    return JSONResponse(
        {"wamid": event.wamid, "media_id": media_id, "webhook_status": status}, status_code=202
    )


@router.post("/api/media/{media_id}/expire")
async def expire_media(media_id: str, request: Request) -> dict[str, bool]:
    """Age a media id past Meta's 30-day retention: `GET /{media-id}` then answers error 100."""
    if not _sandbox(request).expire_media(media_id):
        raise HTTPException(404, "unknown media id")
    return {"success": True}


@router.get("/api/media/{media_id}")
async def get_media_content(media_id: str, request: Request) -> Response:
    """The bytes of any media the sandbox holds (the simulator plays the bot's voice notes)."""
    media = _sandbox(request).get_media(media_id)
    if media is None:
        raise HTTPException(404, "unknown media id")
    return Response(media.data, media_type=media.mime_type)


@router.get("/api/faults")
async def get_faults(request: Request) -> dict[str, Any]:
    return asdict(_sandbox(request).faults)


@router.post("/api/faults")
async def set_faults(faults: FaultsIn, request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    sandbox.set_faults(Faults(**faults.model_dump()))
    return asdict(sandbox.faults)


@router.delete("/api/faults")
async def reset_faults(request: Request) -> dict[str, Any]:
    sandbox = _sandbox(request)
    sandbox.set_faults(Faults())
    return asdict(sandbox.faults)


@router.get("/api/sent")
async def list_sent(request: Request) -> list[dict[str, Any]]:
    return _sandbox(request).sent()


@router.get("/api/refused")
async def list_refused(request: Request) -> list[dict[str, Any]]:
    return _sandbox(request).refused()


@router.delete("/api/sent")
async def clear_sent(request: Request) -> dict[str, bool]:
    _sandbox(request).clear_sent()
    return {"success": True}


@router.get("/api/conversations/{wa_id}")
async def get_conversation(wa_id: str, request: Request, after: int = 0) -> dict[str, Any]:
    return _sandbox(request).conversation(wa_id, after=after)


@router.post("/api/messages", status_code=202)
async def post_guest_message(message: GuestMessageIn, request: Request) -> JSONResponse:
    sandbox = _sandbox(request)
    content = _content(sandbox, message)
    event, status = await sandbox.receive_from_guest(
        wa_id=message.from_,
        name=message.name,
        content=content,
        phone_number_id=message.phone_number_id,
    )
    return JSONResponse({"wamid": event.wamid, "webhook_status": status}, status_code=202)


def _content(sandbox: Sandbox, message: GuestMessageIn) -> dict[str, Any]:
    if message.text is not None:
        return {"type": "text", "text": {"body": message.text}}
    if message.latitude is not None:
        location = {
            "latitude": message.latitude,
            "longitude": message.longitude,
            "name": message.location_name,
            "address": message.address,
        }
        return {"type": "location", "location": {k: v for k, v in location.items() if v}}
    kind, choice_id = (
        ("button_reply", message.button_id) if message.button_id else ("list_reply", message.row_id)
    )
    context_wamid = message.context_wamid or _offering(sandbox, message.from_, str(choice_id))
    if context_wamid is None:
        raise HTTPException(422, "no bot message offered that choice")
    reply = {"id": choice_id, "title": message.title or _title(sandbox, context_wamid, choice_id)}
    if kind == "list_reply" and message.description:
        reply["description"] = message.description
    return {
        "type": "interactive",
        "interactive": {"type": kind, kind: reply},
        "context": {"from": meta.wa_id_of(DEMO_DISPLAY_NUMBER), "id": context_wamid},
    }


def _choices(payload: dict[str, Any]) -> dict[str, str]:
    """id → title of every button or list row in one interactive payload."""
    action = payload.get("interactive", {}).get("action", {})
    choices = {b["reply"]["id"]: b["reply"]["title"] for b in action.get("buttons", [])}
    for section in action.get("sections", []):
        choices |= {row["id"]: row["title"] for row in section.get("rows", [])}
    return choices


def _offering(sandbox: Sandbox, wa_id: str, choice_id: str) -> str | None:
    """The latest bot message to this guest that offered `choice_id`."""
    for event in reversed(sandbox.events):
        if event.direction == "out" and event.wa_id == wa_id:
            if choice_id in _choices(event.payload):
                return event.wamid
    return None


def _title(sandbox: Sandbox, wamid: str, choice_id: str | None) -> str:
    event = sandbox.find_out(wamid)
    return _choices(event.payload).get(str(choice_id), "") if event else ""


@router.get("/", response_class=HTMLResponse)
async def simulator(request: Request) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "simulator.html",
        {
            "display_number": DEMO_DISPLAY_NUMBER,
            "phone_number_id": DEMO_PHONE_NUMBER_ID,
        },
    )
