"""The fake Graph API under `/sandbox/graph/{version}/`: send, mark read, media.

Answers as Meta does (success and error bodies, status codes) so our real `GraphClient` can be
exercised end to end. Reference: https://developers.facebook.com/docs/whatsapp/cloud-api/reference
"""

from __future__ import annotations

import hmac
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from hotelbot.sandbox import meta
from hotelbot.sandbox.state import MEDIA_URL_TTL, Sandbox

router = APIRouter(prefix="/sandbox")


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def _error(error: meta.MetaError) -> JSONResponse:
    return JSONResponse(meta.error_body(error), status_code=error.http_status)


def _auth_error(request: Request, sandbox: Sandbox) -> meta.MetaError | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return meta.TOKEN_MISSING
    token = header[len("bearer ") :].strip()
    return None if hmac.compare_digest(token, sandbox.access_token) else meta.TOKEN_INVALID


def _known_object(object_id: str) -> meta.MetaError | None:
    return None if object_id.isdigit() else meta.unknown_object(object_id)


@router.post("/graph/{version}/{phone_number_id}/messages")
async def post_message(version: str, phone_number_id: str, request: Request) -> Response:
    sandbox = _sandbox(request)
    failure = _auth_error(request, sandbox) or _known_object(phone_number_id)
    if failure:
        return _error(failure)
    try:
        body: Any = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        return _error(meta.MetaError(400, 100, "Invalid JSON in request body"))
    if isinstance(body, dict) and body.get("status") == "read":
        if body.get("messaging_product") != "whatsapp" or not sandbox.mark_read(body):
            return _error(meta.MetaError(400, 100, "Invalid parameter", "Invalid parameter"))
        return JSONResponse({"success": True})
    return _send(sandbox, phone_number_id, body)


def _send(sandbox: Sandbox, phone_number_id: str, body: Any) -> Response:
    failure = sandbox.injected_fault() or meta.validate_send(body)
    if failure:
        return _error(failure)
    is_template = body.get("type") == "template"
    if not is_template and not sandbox.in_window(meta.wa_id_of(body["to"])):
        sandbox.record_refusal(phone_number_id, body, meta.OUTSIDE_WINDOW)
        return _error(meta.OUTSIDE_WINDOW)
    event = sandbox.record_send(phone_number_id, body)
    return JSONResponse(meta.send_success(body["to"], event.wamid, template=is_template))


@router.post("/graph/{version}/{phone_number_id}/media")
async def upload_media(version: str, phone_number_id: str, request: Request) -> Response:
    sandbox = _sandbox(request)
    failure = _auth_error(request, sandbox) or _known_object(phone_number_id)
    if failure:
        return _error(failure)
    form = await request.form()
    upload = form.get("file")
    if form.get("messaging_product") != "whatsapp":
        return _error(meta.MetaError(400, 100, "The parameter messaging_product is required."))
    if not isinstance(upload, UploadFile):
        return _error(meta.MetaError(400, 100, "The parameter file is required."))
    data = await upload.read()
    mime_type = str(form.get("type") or upload.content_type or "application/octet-stream")
    if failure := meta.validate_upload(mime_type, len(data)):
        return _error(failure)
    media_id = sandbox.store_media(phone_number_id, data, mime_type, upload.filename or "file")
    return JSONResponse({"id": media_id})


@router.get("/graph/{version}/{media_id}")
async def get_media(version: str, media_id: str, request: Request) -> Response:
    sandbox = _sandbox(request)
    failure = _auth_error(request, sandbox)
    media = sandbox.get_media(media_id)
    if failure or media is None:
        return _error(failure or meta.unknown_object(media_id))
    expires = int((sandbox.clock() + MEDIA_URL_TTL).timestamp())
    token = sandbox.media_url_token(media_id, expires)
    url = request.url_for("download_media", media_id=media_id).include_query_params(
        expires=expires, token=token
    )
    return JSONResponse(media.info(str(url)))


@router.delete("/graph/{version}/{media_id}")
async def delete_media(version: str, media_id: str, request: Request) -> Response:
    sandbox = _sandbox(request)
    failure = _auth_error(request, sandbox)
    if failure or sandbox.media.pop(media_id, None) is None:
        return _error(failure or meta.unknown_object(media_id))
    return JSONResponse({"success": True})


@router.get("/media/{media_id}", name="download_media")
async def download_media(
    media_id: str, request: Request, expires: int = 0, token: str = ""
) -> Response:
    """Stands in for Meta's lookaside download URL: it wants the bearer token too, works for
    five minutes, and 404s once expired (the client then asks `GET /{media-id}` again)."""
    sandbox = _sandbox(request)
    failure = _auth_error(request, sandbox)
    if failure:
        return _error(failure)
    media = sandbox.get_media(media_id)
    if media is None or not sandbox.media_url_valid(media_id, expires, token):
        return JSONResponse({"error": "URL signature expired"}, status_code=404)
    if sandbox.faults.media_download_failure:
        return _error(meta.SERVER_ERROR)
    return Response(media.data, media_type=media.mime_type)
