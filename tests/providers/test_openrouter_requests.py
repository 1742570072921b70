"""What leaves the client: headers and the JSON body of chat-completions requests."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from chatdesk.core.models import ChatRequest, RequestMessage, ToolCall, ToolSpec
from chatdesk.providers.openrouter import OpenRouterClient
from fakes.openrouter import FakeOpenRouter, Reply

ClientFactory = Callable[..., OpenRouterClient]
REQUEST = ChatRequest(model="openai/gpt-4o-mini", messages=(RequestMessage("user", "Hi"),))

TOOL_REQUEST = ChatRequest(
    model="anthropic/claude-sonnet-4",
    messages=(
        RequestMessage("system", "Be brief."),
        RequestMessage("user", "What is 12+30?"),
        RequestMessage(
            "assistant", "", tool_calls=(ToolCall("call_1", "calc__add", '{"a":12,"b":30}'),)
        ),
        RequestMessage("tool", "42", tool_call_id="call_1", name="calc__add"),
    ),
    parameters={"temperature": 0.2, "max_tokens": 512, "model": "ignored", "stream": False},
    tools=(
        ToolSpec(
            "calc__add",
            "Add two numbers",
            {"type": "object", "properties": {"a": {"type": "number"}}, "required": ["a"]},
        ),
    ),
    provider_routing={"sort": "throughput", "data_collection": "deny"},
    reasoning={"effort": "high"},
)


async def drain(client: OpenRouterClient, request: ChatRequest = REQUEST) -> None:
    async for _ in client.stream_chat(request):
        pass


async def test_headers(fake_openrouter: FakeOpenRouter, make_client: ClientFactory) -> None:
    client = make_client(
        api_key="sk-or-v1-header", app_title="chatdesk test", referer="https://example.org/app"
    )
    await drain(client)
    headers = fake_openrouter.requests[0].headers
    assert headers["authorization"] == "Bearer sk-or-v1-header"
    assert headers["http-referer"] == "https://example.org/app"
    assert headers["x-openrouter-title"] == "chatdesk test"
    assert headers["x-title"] == "chatdesk test"
    assert headers["content-type"] == "application/json"


@pytest.mark.parametrize("key", [None, "", "   "])
async def test_no_authorization_header_without_a_key(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory, key: str | None
) -> None:
    await drain(make_client(api_key=key))
    assert "authorization" not in fake_openrouter.requests[0].headers


async def test_key_callable_is_read_for_every_request(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory
) -> None:
    keys = iter(["sk-first", "sk-second"])
    current = {"key": next(keys)}
    client = make_client(api_key=lambda: current["key"])
    await drain(client)
    current["key"] = next(keys)
    await drain(client)
    auth = [r.headers["authorization"] for r in fake_openrouter.requests]
    assert auth == ["Bearer sk-first", "Bearer sk-second"]


async def test_openrouter_body_shape(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fake_openrouter.enqueue(Reply.stream("42"))
    await drain(client, TOOL_REQUEST)
    request = fake_openrouter.requests[0]
    assert request.method == "POST"
    assert request.path == "/api/v1/chat/completions"
    assert request.json == {
        "temperature": 0.2,
        "max_tokens": 512,
        "model": "anthropic/claude-sonnet-4",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "What is 12+30?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "calc__add", "arguments": '{"a":12,"b":30}'},
                    }
                ],
            },
            {"role": "tool", "content": "42", "tool_call_id": "call_1", "name": "calc__add"},
        ],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "calc__add",
                    "description": "Add two numbers",
                    "parameters": {
                        "type": "object",
                        "properties": {"a": {"type": "number"}},
                        "required": ["a"],
                    },
                },
            }
        ],
        "stream": True,
        "usage": {"include": True},
        "provider": {"sort": "throughput", "data_collection": "deny"},
        "reasoning": {"effort": "high"},
    }


async def test_empty_routing_and_reasoning_are_not_sent(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    await drain(client)
    body = fake_openrouter.requests[0].json
    assert "provider" not in body
    assert "reasoning" not in body
    assert "tools" not in body


async def test_openai_compatible_servers_get_stream_options_and_no_openrouter_fields(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory
) -> None:
    client = make_client(openrouter=False)
    await drain(client, TOOL_REQUEST)
    body = fake_openrouter.requests[0].json
    assert body["stream_options"] == {"include_usage": True}
    assert "usage" not in body
    assert "provider" not in body
    assert "reasoning" not in body
    assert body["tools"][0]["function"]["name"] == "calc__add"


async def test_complete_sends_stream_false(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    assert await client.complete(REQUEST) == "Hi"
    body = fake_openrouter.requests[0].json
    assert body["stream"] is False
    assert "usage" not in body
    assert "stream_options" not in body


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://openrouter.ai/api/v1", True),
        ("https://openrouter.ai/api/v1/", True),
        ("http://localhost:11434/v1", False),
        ("http://127.0.0.1:8080/v1", False),
        ("https://api.openai.com/v1", False),
    ],
)
def test_openrouter_dialect_is_detected_from_the_host(base_url: str, expected: bool) -> None:
    client = OpenRouterClient(base_url, None)
    assert client.is_openrouter is expected
    assert client.base_url == base_url.rstrip("/")


async def test_injected_http_client_is_used_and_left_open(
    fake_openrouter: FakeOpenRouter,
) -> None:
    async with httpx.AsyncClient(headers={"X-Test": "injected"}) as http:
        client = OpenRouterClient(fake_openrouter.base_url, "sk-x", http_client=http)
        await drain(client)
        await client.aclose()
        assert not http.is_closed
    assert fake_openrouter.requests[0].headers["x-test"] == "injected"
