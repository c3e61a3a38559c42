"""The sandbox's OpenAI-compatible API, driven by the official `openai` SDK over loopback HTTP:
what a real client sees must match OpenAI's documented shapes."""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from hotelbot.sandbox.openai_model import Fail, Garbage, Reply, ScriptedModel
from tests.llm_server import OpenAiServer

TOOL = {
    "type": "function",
    "function": {
        "name": "check_availability",
        "description": "Rooms free for the stay.",
        "parameters": {"type": "object", "properties": {"check_in": {"type": "string"}}},
    },
}


def _client(server: OpenAiServer, **options: object) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=server.base_url, api_key="sk-test", **options)  # type: ignore[arg-type]


async def test_a_scripted_tool_call_reaches_the_sdk_as_a_tool_call(
    openai_server: OpenAiServer, openai_model: ScriptedModel
) -> None:
    openai_model.script(Reply(tool_calls=(("check_availability", {"check_in": "2027-03-01"}),)))
    async with _client(openai_server) as client:
        completion = await client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "a room on 1 March?"}],
            tools=[TOOL],  # type: ignore[list-item]
        )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]  # type: ignore[index]
    assert call.function.name == "check_availability"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"check_in": "2027-03-01"}  # type: ignore[union-attr]
    assert completion.usage is not None and completion.usage.prompt_tokens > 0
    assert openai_model.requests[0]["tools"][0]["function"]["name"] == "check_availability"


async def test_structured_output_and_a_callable_step_that_reads_the_request(
    openai_server: OpenAiServer, openai_model: ScriptedModel
) -> None:
    openai_model.script(lambda request: Reply(content=json.dumps({"echo": request["model"]})))
    async with _client(openai_server) as client:
        completion = await client.chat.completions.create(
            model="gpt-4o",
            messages=[{"role": "user", "content": "hi"}],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "reading", "schema": {"type": "object"}},
            },
        )
    assert json.loads(completion.choices[0].message.content or "") == {"echo": "gpt-4o"}


async def test_streaming_with_usage_rebuilds_text_and_tool_calls(
    openai_server: OpenAiServer, openai_model: ScriptedModel
) -> None:
    text = "Two rooms are free from 1 to 4 March, for 345.00 EUR in all."
    openai_model.script(Reply(content=text, tool_calls=(("check_availability", {"a": 1}),)))
    async with _client(openai_server) as client:
        stream = await client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        pieces, arguments, usage, finish = [], [], None, None
        async for chunk in stream:
            if chunk.usage is not None:
                usage = chunk.usage
            for choice in chunk.choices:
                pieces.append(choice.delta.content or "")
                for call in choice.delta.tool_calls or []:
                    arguments.append(call.function.arguments or "")  # type: ignore[union-attr]
                finish = choice.finish_reason or finish
    assert "".join(pieces) == text
    assert json.loads("".join(arguments)) == {"a": 1}
    assert finish == "tool_calls"
    assert usage is not None and usage.completion_tokens > 0


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, openai.RateLimitError),
        (500, openai.InternalServerError),
        (401, openai.AuthenticationError),
        (400, openai.BadRequestError),
    ],
)
async def test_documented_errors_raise_the_sdks_typed_errors(
    openai_server: OpenAiServer,
    openai_model: ScriptedModel,
    status: int,
    error: type[openai.APIStatusError],
) -> None:
    openai_model.script(Fail(status, retry_after=0))
    async with _client(openai_server, max_retries=0) as client:
        with pytest.raises(error) as raised:
            await client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
            )
    body = raised.value.body
    assert isinstance(body, dict) and set(body) == {"message", "type", "param", "code"}
    if status == 429:
        assert raised.value.response.headers["x-ratelimit-remaining-requests"] == "0"
        assert body["code"] == "rate_limit_exceeded"


async def test_the_sdk_retries_a_429_and_then_succeeds(
    openai_server: OpenAiServer, openai_model: ScriptedModel
) -> None:
    openai_model.script(Fail(429, retry_after=0), Fail(503, retry_after=0), Reply(content="ok"))
    async with _client(openai_server, max_retries=2) as client:
        completion = await client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
        )
    assert completion.choices[0].message.content == "ok"
    assert len(openai_model.requests) == 3


async def test_garbage_is_not_a_completion(
    openai_server: OpenAiServer, openai_model: ScriptedModel
) -> None:
    openai_model.script(Garbage())
    async with _client(openai_server, max_retries=0) as client:
        with pytest.raises((openai.APIResponseValidationError, ValueError)):
            completion = await client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}]
            )
            completion.choices[0].message  # noqa: B018


async def test_rate_limit_headers_and_request_validation(
    openai_server: OpenAiServer, openai_model: ScriptedModel
) -> None:
    async with httpx.AsyncClient(base_url=openai_server.base_url) as http:
        ok = await http.post(
            "/chat/completions",
            json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
            headers={"Authorization": "Bearer k"},
        )
        no_key = await http.post("/chat/completions", json={})
        bad = await http.post(
            "/chat/completions",
            json={"model": "m", "messages": [{"role": "tool", "content": "x"}]},
            headers={"Authorization": "Bearer k"},
        )
    assert ok.status_code == 200
    assert ok.headers["x-ratelimit-limit-requests"] and ok.headers["x-request-id"]
    assert no_key.status_code == 401 and no_key.json()["error"]["code"] == "invalid_api_key"
    assert bad.status_code == 400 and "tool_call_id" in bad.json()["error"]["message"]
