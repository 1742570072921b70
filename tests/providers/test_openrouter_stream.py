"""OpenRouterClient.stream_chat against the fake server: events, tools, usage, failures."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest

from chatdesk.core.events import (
    Finished,
    ReasoningDelta,
    StreamEvent,
    StreamStarted,
    TextDelta,
    ToolCallsRequested,
    UsageReported,
)
from chatdesk.core.models import ChatRequest, RequestMessage, ToolCall, Usage
from chatdesk.errors import ProviderConnectionError, StreamError
from chatdesk.providers import openrouter as openrouter_module
from chatdesk.providers.openrouter import OpenRouterClient
from fakes.openrouter import DONE_EVENT, KEEPALIVE, Drop, FakeOpenRouter, Gate, Hold, Reply

REQUEST = ChatRequest(model="openai/gpt-4o-mini", messages=(RequestMessage("user", "Hi"),))


async def collect(client: OpenRouterClient, request: ChatRequest = REQUEST) -> list[StreamEvent]:
    return [event async for event in client.stream_chat(request)]


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def kinds(events: list[StreamEvent]) -> list[type]:
    return [type(e) for e in events]


async def test_text_stream(fake_openrouter: FakeOpenRouter, client: OpenRouterClient) -> None:
    fake_openrouter.enqueue(
        Reply.stream("The quick brown fox", generation_id="gen-abc", keepalive_every=2)
    )
    events = await collect(client)
    assert events[0] == StreamStarted(generation_id="gen-abc", model="openai/gpt-4o-mini")
    assert text_of(events) == "The quick brown fox"
    assert [e for e in events if isinstance(e, TextDelta)] == [
        TextDelta("The "),
        TextDelta("quick "),
        TextDelta("brown "),
        TextDelta("fox"),
    ]
    assert kinds(events)[-2:] == [Finished, UsageReported]
    assert events[-2] == Finished("stop")
    assert len(fake_openrouter.requests) == 1


async def test_generation_id_from_first_chunk_without_header(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fake_openrouter.enqueue(
        Reply.stream("x", generation_id="gen-chunk", model="m/x", send_generation_header=False)
    )
    events = await collect(client)
    assert events[0] == StreamStarted(generation_id="gen-chunk", model="m/x")


@pytest.mark.parametrize("field", ["reasoning", "reasoning_content"])
async def test_reasoning_deltas(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient, field: str
) -> None:
    fake_openrouter.enqueue(
        Reply.stream("Answer.", reasoning="Let me think.", reasoning_field=field)
    )
    events = await collect(client)
    reasoning = [e for e in events if isinstance(e, ReasoningDelta)]
    assert "".join(e.text for e in reasoning) == "Let me think."
    assert len(reasoning) == 3
    first_text = next(i for i, e in enumerate(events) if isinstance(e, TextDelta))
    assert events.index(reasoning[-1]) < first_text
    assert text_of(events) == "Answer."


async def test_two_parallel_tool_calls_accumulated_by_index(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    calls = [
        ToolCall("call_a", "calculator__add", '{"a": 12, "b": 30}'),
        ToolCall("call_b", "clock__now", '{"timezone": "Europe/Paris"}'),
    ]
    fake_openrouter.enqueue(Reply.stream("", tool_calls=calls, tool_fragments=4))
    events = await collect(client)
    requested = [e for e in events if isinstance(e, ToolCallsRequested)]
    assert requested == [ToolCallsRequested(tuple(calls))]
    assert kinds(events)[-3:] == [ToolCallsRequested, Finished, UsageReported]
    assert events[-2] == Finished("tool_calls")


async def test_tool_calls_without_finish_reason_are_emitted_at_the_end(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    call = ToolCall("c1", "search", '{"q": "x"}')
    fake_openrouter.enqueue(Reply.stream("", tool_calls=[call], finish_reason=None, usage=None))
    events = await collect(client)
    assert events[-2:] == [ToolCallsRequested((call,)), Finished("stop")]


async def test_tool_call_fragments_without_id_or_arguments(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    def frag(**fields: Any) -> dict[str, Any]:
        return {"choices": [{"index": 0, "delta": {"tool_calls": [fields]}}]}

    fake_openrouter.enqueue(
        Reply.sse(
            frag(index=0, type="function", function={"name": "now"}),
            frag(index=1, id="x2", function={"name": "add", "arguments": {"a": 1}}),
            {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
            DONE_EVENT,
        )
    )
    events = await collect(client)
    assert (
        ToolCallsRequested((ToolCall("call_0", "now", "{}"), ToolCall("x2", "add", '{"a": 1}')))
        in events
    )


async def test_duplicate_finish_reason_yields_one_finished(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fake_openrouter.enqueue(Reply.stream("Hello", duplicate_finish=True))
    events = await collect(client)
    assert [e for e in events if isinstance(e, Finished)] == [Finished("stop")]
    assert isinstance(events[-1], UsageReported)


async def test_usage_with_cost_and_token_details(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    usage = {
        "prompt_tokens": 194,
        "completion_tokens": 2,
        "total_tokens": 196,
        "cost": 0.00095,
        "prompt_tokens_details": {"cached_tokens": 100},
        "completion_tokens_details": {"reasoning_tokens": 1},
    }
    fake_openrouter.enqueue(Reply.stream("Hi", usage=usage))
    events = await collect(client)
    assert events[-1] == UsageReported(Usage(194, 2, 196, 0.00095, 100, 1))


async def test_missing_usage_or_cost_is_tolerated(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fake_openrouter.enqueue(
        Reply.stream("Hi", usage=None),
        Reply.stream("Hi", usage={"prompt_tokens": 3, "completion_tokens": 1}),
    )
    first = await collect(client)
    assert not any(isinstance(e, UsageReported) for e in first)
    assert first[-1] == Finished("stop")
    second = await collect(client)
    assert second[-1] == UsageReported(Usage(3, 1, 4, None))


async def test_stream_ending_after_finish_without_done_is_complete(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fake_openrouter.enqueue(Reply.stream("Bye", done=False))
    events = await collect(client)
    assert text_of(events) == "Bye"
    assert kinds(events)[-2:] == [Finished, UsageReported]


async def test_mid_stream_error_raises_after_what_was_yielded(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fake_openrouter.enqueue(
        Reply.stream(
            "Partial answer",
            error={"code": "server_error", "message": "Provider disconnected unexpectedly"},
        )
    )
    received: list[StreamEvent] = []
    with pytest.raises(StreamError) as caught:
        async for event in client.stream_chat(REQUEST):
            received.append(event)
    assert text_of(received) == "Partial answer"
    assert not any(isinstance(e, Finished) for e in received)
    assert "Provider disconnected unexpectedly" in caught.value.user_message
    assert caught.value.code == "server_error"
    assert len(fake_openrouter.requests) == 1


async def test_openai_style_error_chunk(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fake_openrouter.enqueue(Reply.sse({"object": "error", "message": "out of memory"}))
    with pytest.raises(StreamError, match="out of memory"):
        await collect(client)


async def test_dropped_connection_mid_stream_is_not_retried(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fake_openrouter.enqueue(Reply.drop_after(2, "one two three four"))
    received: list[StreamEvent] = []
    with pytest.raises(ProviderConnectionError) as caught:
        async for event in client.stream_chat(REQUEST):
            received.append(event)
    assert "dropped in the middle of the answer" in caught.value.user_message
    assert text_of(received) == "one two "
    assert len(fake_openrouter.requests) == 1


async def test_clean_eof_without_done_or_finish_is_a_drop(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fake_openrouter.enqueue(Reply.stream("cut", finish_reason=None, usage=None, done=False))
    with pytest.raises(ProviderConnectionError, match="dropped in the middle"):
        await collect(client)


async def test_drop_before_the_first_event_is_retried(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient, sleeps: Any
) -> None:
    fake_openrouter.enqueue(
        Reply.sse(KEEPALIVE, Drop()),  # headers and a keep-alive, then the socket closes
        Reply.disconnect(),  # the socket closes before any answer
        Reply.stream("third try"),
    )
    events = await collect(client)
    assert text_of(events) == "third try"
    assert len(fake_openrouter.requests) == 3
    assert len(sleeps.calls) == 2


async def test_cancel_during_stream_closes_the_connection(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    gate = Gate()
    fake_openrouter.enqueue(Reply.stream("a b c d", hold_after=(2, gate)))
    got_two = asyncio.Event()
    received: list[StreamEvent] = []

    async def consume() -> None:
        async for event in client.stream_chat(REQUEST):
            received.append(event)
            if isinstance(event, TextDelta) and event.text == "b ":
                got_two.set()

    task = asyncio.create_task(consume())
    await got_two.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await fake_openrouter.wait_until_async(lambda f: f.disconnects == 1)
    assert text_of(received) == "a b "
    gate.set()


async def test_closing_the_generator_early_closes_the_connection(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    gate = Gate()
    fake_openrouter.enqueue(Reply.stream("a b c d", hold_after=(2, gate)))
    async with contextlib.aclosing(client.stream_chat(REQUEST)) as stream:
        async for event in stream:
            if isinstance(event, TextDelta):
                break
    assert await fake_openrouter.wait_until_async(lambda f: f.disconnects == 1)
    # The client still works afterwards, on a new connection.
    assert text_of(await collect(client)) == "Hi"


async def test_slow_first_event_waits_for_the_gate(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    gate = Gate()
    fake_openrouter.enqueue(Reply.stream("late", hold_first=gate))
    task = asyncio.create_task(collect(client))
    assert await fake_openrouter.wait_until_async(lambda f: len(f.requests) == 1)
    assert not task.done()
    gate.set()
    assert text_of(await task) == "late"


async def test_server_that_ignores_stream_true_sends_one_json_answer(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    call = ToolCall("c9", "f", "{}")
    fake_openrouter.enqueue(Reply.completion("Whole answer", reasoning="hmm", tool_calls=[call]))
    events = await collect(client)
    assert kinds(events) == [
        StreamStarted,
        ReasoningDelta,
        TextDelta,
        ToolCallsRequested,
        Finished,
        UsageReported,
    ]
    assert text_of(events) == "Whole answer"


async def test_non_json_data_lines_are_skipped(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fake_openrouter.enqueue(
        Reply.sse(
            b"data: not json\n\n",
            {"id": "g", "choices": [{"index": 0, "delta": {"content": "ok"}}]},
            b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\r\n\r\n',
            DONE_EVENT,
        )
    )
    events = await collect(client)
    assert events == [StreamStarted("g", "openai/gpt-4o-mini"), TextDelta("ok"), Finished("stop")]


async def test_many_sequential_streams_reuse_one_connection(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    for i in range(5):
        fake_openrouter.enqueue(Reply.stream(f"answer {i}"))
        assert text_of(await collect(client)) == f"answer {i}"
    assert fake_openrouter.open_connections == 1


async def test_body_left_open_after_done_does_not_hang_the_stream(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(openrouter_module, "_DRAIN_TIMEOUT_S", 0.05)
    gate = Gate()  # never opened: the server sends [DONE] but never ends the body
    fake_openrouter.enqueue(
        Reply.sse(
            {"id": "g", "choices": [{"index": 0, "delta": {"content": "done"}}]},
            {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
            DONE_EVENT,
            Hold(gate),
        )
    )
    events = await collect(client)
    assert events[1:] == [TextDelta("done"), Finished("stop")]
    assert await fake_openrouter.wait_until_async(lambda f: f.disconnects == 1)
