"""A local OpenAI-compatible API under `/sandbox/openai/v1`, written from OpenAI's published
API reference (https://platform.openai.com/docs/api-reference/chat): Chat Completions with
tools, `response_format` JSON schema, streaming (server-sent `chat.completion.chunk` events,
`stream_options.include_usage`, `data: [DONE]`), usage, the documented error bodies
(`{"error": {"message", "type", "param", "code"}}`) and rate-limit headers
(`x-ratelimit-*`, `retry-after`). What it answers is scripted (`openai_model.py`).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

from hotelbot.sandbox.openai_model import (
    Fail,
    Garbage,
    Reply,
    ScriptedModel,
    Slow,
    estimate_tokens,
)

router = APIRouter(prefix="/sandbox/openai/v1")
MODELS = ("gpt-4o-mini", "gpt-4o", "sandbox-model")
_LIMITS = {"requests": 5000, "tokens": 2_000_000}
#: Documented error `type`/`code`/message per status.
_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    404: ("invalid_request_error", "model_not_found", "The model does not exist."),
    429: (
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for requests. Please try again in 1s.",
    ),
    500: (
        "server_error",
        None,
        "The server had an error while processing your request. Sorry about that!",
    ),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}


def _model(request: Request) -> ScriptedModel:
    model: ScriptedModel = request.app.state.openai_model
    return model


def error_response(status: int, message: str | None = None, **headers: str) -> JSONResponse:
    kind, code, text = _ERRORS.get(status, _ERRORS[500])
    body = {"error": {"message": message or text, "type": kind, "param": None, "code": code}}
    return JSONResponse(body, status_code=status, headers=_headers(**headers))


def _headers(**extra: str) -> dict[str, str]:
    return {
        "x-request-id": f"req_{uuid.uuid4().hex}",
        "openai-version": "2020-10-01",
        "openai-processing-ms": "1",
        "x-ratelimit-limit-requests": str(_LIMITS["requests"]),
        "x-ratelimit-limit-tokens": str(_LIMITS["tokens"]),
        "x-ratelimit-remaining-requests": str(_LIMITS["requests"] - 1),
        "x-ratelimit-remaining-tokens": str(_LIMITS["tokens"] - 1000),
        "x-ratelimit-reset-requests": "12ms",
        "x-ratelimit-reset-tokens": "30ms",
        **extra,
    }


@router.get("/models")
async def list_models() -> JSONResponse:
    data = [
        {"id": m, "object": "model", "created": 1700000000, "owned_by": "sandbox"} for m in MODELS
    ]
    return JSONResponse({"object": "list", "data": data}, headers=_headers())


@router.post("/chat/completions")
async def chat_completions(request: Request) -> Response:
    if not request.headers.get("authorization", "").lower().startswith("bearer "):
        return error_response(401, "You didn't provide an API key.")
    return await _answer(request, deployment=None)


@router.post("/azure/openai/deployments/{deployment}/chat/completions")
async def azure_chat_completions(deployment: str, request: Request) -> Response:
    """Azure OpenAI's shape of the same call (https://learn.microsoft.com/azure/ai-services/
    openai/reference): the deployment in the path, `api-version` in the query, the key in an
    `api-key` header (or a bearer token from Entra ID)."""
    if not request.query_params.get("api-version"):
        return error_response(404, "Resource not found")
    authorised = request.headers.get("api-key") or request.headers.get("authorization", "")
    if not authorised:
        return error_response(401, "Access denied due to invalid subscription key.")
    return await _answer(request, deployment=deployment)


async def _answer(request: Request, *, deployment: str | None) -> Response:
    try:
        body = json.loads(await request.body())
    except ValueError:
        return error_response(400, "We could not parse the JSON body of your request.")
    if deployment is not None and isinstance(body, dict):
        body.setdefault("model", deployment)
    problem = _invalid(body)
    if problem:
        return error_response(400, problem)
    step = _model(request).next_step(body)
    if isinstance(step, Slow):
        await asyncio.sleep(step.seconds)
        step = step.then if isinstance(step.then, Reply | Fail | Garbage) else Reply()
    if isinstance(step, Fail):
        extra = {"retry-after": f"{step.retry_after:g}"} if step.retry_after is not None else {}
        if step.status == 429:
            extra["x-ratelimit-remaining-requests"] = "0"
        return error_response(step.status, **extra)
    if isinstance(step, Garbage):
        return Response(step.body, status_code=200, media_type="application/json")
    assert isinstance(step, Reply)
    completion = _completion(body, step)
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return StreamingResponse(
            _chunks(completion, include_usage=include_usage),
            media_type="text/event-stream",
            headers=_headers(),
        )
    return JSONResponse(completion, headers=_headers())


def _invalid(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "The request body must be a JSON object."
    if not body.get("model"):
        return "you must provide a model parameter"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "[] is too short - 'messages'"
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in (
            "system", "developer", "user", "assistant", "tool",
        ):  # fmt: skip
            return f"Invalid value for 'messages[{index}].role'."
        if message["role"] == "tool" and not message.get("tool_call_id"):
            return f"Missing required parameter: 'messages[{index}].tool_call_id'."
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema" and not (
        response_format.get("json_schema") or {}
    ).get("name"):
        return "Missing required parameter: 'response_format.json_schema.name'."
    return None


def _completion(body: dict[str, Any], step: Reply) -> dict[str, Any]:
    calls: list[dict[str, Any]] = [
        {
            "id": f"call_{uuid.uuid4().hex[:24]}",
            "type": "function",
            "function": {
                "name": name,
                "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
            },
        }
        for name, arguments in step.tool_calls
    ]
    message: dict[str, Any] = {"role": "assistant", "content": step.content, "refusal": None}
    if calls:
        message["tool_calls"] = calls
    prompt = estimate_tokens(
        json.dumps(body.get("messages", [])) + json.dumps(body.get("tools", []))
    )
    completion = estimate_tokens(
        (step.content or "") + "".join(c["function"]["arguments"] for c in calls)
    )
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:29]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "system_fingerprint": "fp_sandbox",
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": "tool_calls" if calls else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        },
    }


async def _chunks(completion: dict[str, Any], *, include_usage: bool) -> AsyncIterator[bytes]:
    """The completion as streamed chunks: role first, content in pieces, tool calls by index."""
    base = {k: completion[k] for k in ("id", "created", "model", "system_fingerprint")}
    base["object"] = "chat.completion.chunk"
    choice = completion["choices"][0]
    message = choice["message"]

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        choices = [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
        data = base | {"choices": choices} | extra
        if include_usage and "usage" not in extra:
            data["usage"] = None
        return f"data: {json.dumps(data)}\n\n".encode()

    yield chunk({"role": "assistant", "content": "", "refusal": None})
    content = message.get("content") or ""
    for start in range(0, len(content), 16):
        yield chunk({"content": content[start : start + 16]})
    for index, call in enumerate(message.get("tool_calls", [])):
        head = {"index": index, "id": call["id"], "type": "function"}
        yield chunk(
            {
                "tool_calls": [
                    head | {"function": {"name": call["function"]["name"], "arguments": ""}}
                ]
            }
        )
        arguments = call["function"]["arguments"]
        for start in range(0, len(arguments), 16):
            piece = {"index": index, "function": {"arguments": arguments[start : start + 16]}}
            yield chunk({"tool_calls": [piece]})
    yield chunk({}, choice["finish_reason"])
    if include_usage:
        usage = base | {"choices": [], "usage": completion["usage"]}
        yield f"data: {json.dumps(usage)}\n\n".encode()
    yield b"data: [DONE]\n\n"


@router.post("/_script")
async def post_script(request: Request) -> JSONResponse:
    """Queue replies over HTTP (demos, other processes): `[{"content": ..., "tool_calls":
    [{"name": ..., "arguments": {...}}]} | {"error": 429}, ...]`."""
    steps: list[Reply | Fail] = []
    for item in await request.json():
        if "error" in item:
            steps.append(Fail(int(item["error"]), retry_after=item.get("retry_after")))
            continue
        calls = tuple((c["name"], c.get("arguments", {})) for c in item.get("tool_calls", []))
        steps.append(Reply(content=item.get("content"), tool_calls=calls))
    _model(request).script(*steps)
    return JSONResponse({"queued": len(steps)})


@router.get("/_requests")
async def get_requests(request: Request) -> JSONResponse:
    """Every request the model received, oldest first (the sandbox keeps the last 500)."""
    return JSONResponse(list(_model(request).requests))


def install_openai_sandbox(app: FastAPI, model: ScriptedModel | None = None) -> ScriptedModel:
    app.state.openai_model = model or ScriptedModel()
    app.include_router(router)
    model_state: ScriptedModel = app.state.openai_model
    return model_state


def create_openai_sandbox_app(model: ScriptedModel | None = None) -> FastAPI:
    """The OpenAI-compatible API alone (tests serve it on a loopback port)."""
    app = FastAPI(title="hotelbot OpenAI sandbox", docs_url=None, redoc_url=None)
    install_openai_sandbox(app, model)
    return app
