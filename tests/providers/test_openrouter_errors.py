"""Errors before streaming, retries with backoff, timeouts and unreachable servers."""

from __future__ import annotations

import asyncio
import email.utils
from collections.abc import Callable
from typing import Any

import pytest

from chatdesk.core.events import RetryScheduled, StreamEvent, TextDelta
from chatdesk.core.models import ChatRequest, RequestMessage
from chatdesk.errors import (
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    ModelUnavailableError,
    ModerationError,
    NoProviderError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitError,
    ServerError,
)
from chatdesk.providers.openrouter import OpenRouterClient
from fakes.openrouter import FakeOpenRouter, Gate, Reply
from fakes.ports import free_port

ClientFactory = Callable[..., OpenRouterClient]
REQUEST = ChatRequest(model="openai/gpt-4o-mini", messages=(RequestMessage("user", "Hi"),))
SERVER_SAYS = "Specific words from the server"


async def collect(client: OpenRouterClient) -> list[StreamEvent]:
    return [event async for event in client.stream_chat(REQUEST)]


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


@pytest.mark.parametrize(
    ("status", "error_type", "hint"),
    [
        (400, BadRequestError, "rejected the request"),
        (401, AuthenticationError, "Check the key in Settings"),
        (402, InsufficientCreditsError, "Add credits"),
        (403, ModerationError, "blocked"),
        (404, BadRequestError, "Check the model name and the base URL"),
        (408, ProviderTimeoutError, "timed out"),
        (413, BadRequestError, "HTTP 413"),
    ],
)
async def test_non_retryable_statuses_map_to_typed_errors(
    fake_openrouter: FakeOpenRouter,
    client: OpenRouterClient,
    sleeps: Any,
    status: int,
    error_type: type[ProviderError],
    hint: str,
) -> None:
    fake_openrouter.enqueue(Reply.error(status, SERVER_SAYS))
    with pytest.raises(error_type) as caught:
        await collect(client)
    error = caught.value
    assert type(error) is error_type
    assert SERVER_SAYS in error.user_message
    assert hint in error.user_message
    assert error.status == status
    assert len(fake_openrouter.requests) == 1
    assert sleeps.calls == []


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (429, RateLimitError),
        (500, ServerError),
        (502, ModelUnavailableError),
        (503, NoProviderError),
        (504, ServerError),
    ],
)
async def test_retryable_statuses_are_retried_up_to_max_attempts(
    fake_openrouter: FakeOpenRouter,
    make_client: ClientFactory,
    sleeps: Any,
    status: int,
    error_type: type[ProviderError],
) -> None:
    fake_openrouter.enqueue(*[Reply.error(status, SERVER_SAYS) for _ in range(5)])
    client = make_client(max_attempts=3, backoff_base=0.5, backoff_max=20)
    with pytest.raises(error_type) as caught:
        await collect(client)
    assert SERVER_SAYS in caught.value.user_message
    assert caught.value.retryable
    assert len(fake_openrouter.requests) == 3
    assert len(sleeps.calls) == 2
    assert 0 <= sleeps.calls[0] <= 0.5  # full jitter within the exponential cap
    assert 0 <= sleeps.calls[1] <= 1.0


async def test_backoff_is_capped(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory, sleeps: Any
) -> None:
    fake_openrouter.enqueue(*[Reply.error(500) for _ in range(6)])
    client = make_client(max_attempts=6, backoff_base=1, backoff_max=2.5)
    with pytest.raises(ServerError):
        await collect(client)
    assert len(sleeps.calls) == 5
    assert all(0 <= delay <= 2.5 for delay in sleeps.calls)


async def test_501_is_not_retried(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fake_openrouter.enqueue(Reply.error(501, "Not implemented here"))
    with pytest.raises(ServerError, match="HTTP 501"):
        await collect(client)
    assert len(fake_openrouter.requests) == 1


async def test_retry_after_is_honoured_then_success(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient, sleeps: Any
) -> None:
    fake_openrouter.enqueue(Reply.error(429, retry_after=2), Reply.stream("after the wait"))
    events = await collect(client)
    assert text_of(events) == "after the wait"
    assert sleeps.calls == [2.0]
    assert len(fake_openrouter.requests) == 2
    # The wait is announced first, so the window can say why nothing comes yet.
    assert events[0] == RetryScheduled(2.0, "127.0.0.1 is limiting requests")
    assert sum(isinstance(e, RetryScheduled) for e in events) == 1


async def test_retry_after_as_http_date(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory, sleeps: Any
) -> None:
    now = 1_800_000_000.0
    when = email.utils.formatdate(now + 30, usegmt=True)
    fake_openrouter.enqueue(Reply.error(429, retry_after=when), Reply.stream("ok"))
    client = make_client(clock=lambda: now)
    assert text_of(await collect(client)) == "ok"
    assert sleeps.calls == [30.0]


async def test_retry_after_beyond_the_cap_is_not_waited_for(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient, sleeps: Any
) -> None:
    fake_openrouter.enqueue(Reply.error(429, "Slow down", retry_after=3600), Reply.stream("no"))
    with pytest.raises(RateLimitError) as caught:
        await collect(client)
    assert caught.value.retry_after == 3600
    assert "Try again in 3600 s" in caught.value.user_message
    assert sleeps.calls == []
    assert len(fake_openrouter.requests) == 1


async def test_error_bodies_that_are_not_openrouter_json(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory
) -> None:
    client = make_client(max_attempts=1)
    fake_openrouter.enqueue(
        Reply.error(502, body="<html><body>Bad gateway</body></html>"),
        Reply.json({"error": {"message": "model 'x' not found", "type": "invalid_request"}}, 404),
        Reply.error(400, body="plain text problem", content_type="text/plain"),
        Reply.json({"error": "bare string error"}, 400),
        Reply.json({"object": "error", "message": "vLLM says no", "code": 400}, 400),
    )
    with pytest.raises(ModelUnavailableError) as html:
        await collect(client)
    assert "<html" not in html.value.user_message
    assert "“openai/gpt-4o-mini” is unavailable" in html.value.user_message
    with pytest.raises(BadRequestError, match="model 'x' not found"):
        await collect(client)
    with pytest.raises(BadRequestError, match="plain text problem"):
        await collect(client)
    with pytest.raises(BadRequestError, match="bare string error"):
        await collect(client)
    with pytest.raises(BadRequestError, match="vLLM says no"):
        await collect(client)


async def test_moderation_reasons_and_provider_name_are_shown(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory
) -> None:
    client = make_client(max_attempts=1)
    fake_openrouter.enqueue(
        Reply.error(403, metadata={"reasons": ["violence"], "flagged_input": "..."}),
        Reply.error(502, "Upstream error", metadata={"provider_name": "Groq", "raw": "x"}),
    )
    with pytest.raises(ModerationError, match="reasons: violence"):
        await collect(client)
    with pytest.raises(ModelUnavailableError, match="provider Groq"):
        await collect(client)


async def test_messages_never_contain_the_api_key(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory
) -> None:
    key = "sk-or-v1-secret-key-value"
    client = make_client(api_key=key)
    fake_openrouter.enqueue(Reply.error(401, f"Key {key} is disabled"))
    with pytest.raises(AuthenticationError) as caught:
        await collect(client)
    assert key not in caught.value.user_message
    assert key not in (caught.value.detail or "")
    assert "***" in caught.value.user_message


def closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}/api/v1"


async def test_connection_refused_is_retried_then_reported(
    make_client: ClientFactory, sleeps: Any
) -> None:
    client = make_client(base_url=closed_port_url(), max_attempts=3)
    with pytest.raises(ProviderConnectionError) as caught:
        await collect(client)
    assert caught.value.user_message == (
        "Could not reach 127.0.0.1: check your network or the base URL in Settings."
    )
    assert len(sleeps.calls) == 2


async def test_slow_first_byte_with_short_read_timeout(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory, sleeps: Any
) -> None:
    gate = Gate()  # never opened: the server holds the headers back
    fake_openrouter.enqueue(Reply.stream("too late", hold_headers=gate))
    client = make_client(read_timeout=0.2)
    with pytest.raises(ProviderTimeoutError, match=r"did not answer within 0\.2 s"):
        await collect(client)
    assert len(fake_openrouter.requests) == 1  # a read timeout is not retried
    assert sleeps.calls == []
    assert await fake_openrouter.wait_until_async(lambda f: f.disconnects == 1)


async def test_stall_mid_stream_is_a_timeout(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory
) -> None:
    gate = Gate()
    fake_openrouter.enqueue(Reply.stream("a b c", hold_after=(2, gate)))
    client = make_client(read_timeout=0.2)
    received: list[StreamEvent] = []
    with pytest.raises(ProviderTimeoutError, match="The answer stalled"):
        async for event in client.stream_chat(REQUEST):
            received.append(event)
    assert text_of(received) == "a b "


async def test_invalid_base_url(make_client: ClientFactory) -> None:
    client = make_client(base_url="localhost:11434/v1")
    with pytest.raises(BadRequestError, match="must start with http:// or https://"):
        await collect(client)


async def test_complete_maps_errors_and_retries(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient, sleeps: Any
) -> None:
    fake_openrouter.enqueue(Reply.error(503), Reply.completion("  Title text \n"))
    assert await client.complete(REQUEST) == "Title text"
    assert len(sleeps.calls) == 1
    fake_openrouter.enqueue(Reply.error(402, "No credits left"))
    with pytest.raises(InsufficientCreditsError, match="No credits left"):
        await client.complete(REQUEST)


async def test_redirect_is_reported_not_followed(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fake_openrouter.enqueue(
        Reply.json({}, 308, headers={"Location": "https://elsewhere.example/api/v1"})
    )
    with pytest.raises(BadRequestError, match=r"redirected to https://elsewhere\.example/api/v1"):
        await collect(client)


async def test_cancel_during_backoff_sleep_propagates(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory
) -> None:
    sleeping = asyncio.Event()

    async def sleep_forever(delay: float) -> None:
        sleeping.set()
        await asyncio.Event().wait()

    fake_openrouter.enqueue(Reply.error(503), Reply.stream("never"))
    client = make_client(sleep=sleep_forever)
    task = asyncio.create_task(collect(client))
    await sleeping.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(fake_openrouter.requests) == 1
    assert fake_openrouter.pending() == 1
