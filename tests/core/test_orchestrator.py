"""ChatOrchestrator against the real repository (SQLite on disk) and the fake OpenRouter."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from chatdesk.core.events import (
    AssistantContinued,
    ReasoningDelta,
    TextDelta,
    TitleChanged,
    ToolCallFinished,
    ToolCallStarted,
    TurnDone,
    TurnEvent,
    TurnFailed,
    TurnStarted,
    UsageReported,
)
from chatdesk.core.models import MessageStatus, ModelInfo, ToolCall, ToolSpec, TurnConfig
from chatdesk.core.orchestrator import ChatOrchestrator
from chatdesk.core.ports import ToolResult
from chatdesk.core.tool_round import MAX_TOOL_RESULT_CHARS
from chatdesk.providers.openrouter import OpenRouterClient
from chatdesk.storage.repository import ChatRepository
from fakes.openrouter import FakeOpenRouter, Gate, RecordedRequest, Reply

MODEL = "openai/gpt-4o-mini"
CONFIG = TurnConfig(model=MODEL, generate_titles=False)


class ManualClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CalculatorTools:
    """A small real ToolHost: adds numbers, can be told to hang or to return a lot."""

    def __init__(self) -> None:
        self.calls: list[ToolCall] = []
        self.release = asyncio.Event()
        self.hang = False

    def tool_specs(self) -> Sequence[ToolSpec]:
        schema = {"type": "object", "properties": {"a": {"type": "number"}}}
        return [ToolSpec("calc__add", "Add numbers", schema)]

    async def call_tool(self, call: ToolCall, **kwargs: Any) -> ToolResult:
        self.calls.append(call)
        if self.hang:
            await self.release.wait()
        args = json.loads(call.arguments or "{}")
        if args.get("huge"):
            return ToolResult("x" * (MAX_TOOL_RESULT_CHARS + 500), server_id="calc")
        if args.get("boom"):
            raise RuntimeError("the tool exploded")
        return ToolResult(str(args.get("a", 0) + args.get("b", 0)), server_id="calc")


def _orchestrator(
    repo: ChatRepository, provider: OpenRouterClient, **kwargs: Any
) -> ChatOrchestrator:
    return ChatOrchestrator(repo, provider, **kwargs)


async def _collect(events: AsyncIterator[TurnEvent]) -> list[TurnEvent]:
    return [event async for event in events]


def _db_rows(data_dir: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data_dir / "chatdesk.db") as conn:
        return list(conn.execute(sql, args))


async def test_a_turn_streams_stores_and_reports_usage(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    fake_openrouter.enqueue(Reply.stream("Hello there, friend.", generation_id="gen-1"))
    conv = await repo.create_conversation()
    events = await _collect(_orchestrator(repo, provider).send(conv.id, "Hi!", CONFIG))

    assert isinstance(events[0], TurnStarted)
    assert events[0].user_message is not None and events[0].user_message.content == "Hi!"
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text == "Hello there, friend."
    usage = [e for e in events if isinstance(e, UsageReported)]
    assert len(usage) == 1 and usage[0].usage.cost is not None
    done = events[-1]
    assert isinstance(done, TurnDone)
    assert done.message.content == text
    assert done.message.status is MessageStatus.COMPLETE
    assert done.message.generation_id == "gen-1"
    assert done.message.model == MODEL
    assert done.message.cost == usage[0].usage.cost

    stored = await repo.list_messages(conv.id)
    assert [(m.role, m.content, m.status) for m in stored] == [
        ("user", "Hi!", MessageStatus.COMPLETE),
        ("assistant", text, MessageStatus.COMPLETE),
    ]
    body = fake_openrouter.requests_to()[0].json
    assert body is not None
    assert body["model"] == MODEL and body["stream"] is True
    assert body["messages"] == [{"role": "user", "content": "Hi!"}]


async def test_the_user_message_is_stored_before_the_request_leaves(
    repo: ChatRepository,
    provider: OpenRouterClient,
    fake_openrouter: FakeOpenRouter,
    data_dir: Path,
) -> None:
    seen: list[list[tuple[Any, ...]]] = []

    def responder(_request: RecordedRequest) -> Reply:
        seen.append(_db_rows(data_dir, "SELECT role, content, status FROM messages ORDER BY id"))
        return Reply.stream("ok")

    fake_openrouter.enqueue(responder)
    conv = await repo.create_conversation()
    await _collect(_orchestrator(repo, provider).send(conv.id, "saved first", CONFIG))
    assert seen == [[("user", "saved first", "complete"), ("assistant", "", "streaming")]]


async def test_streamed_text_is_persisted_while_streaming_at_the_interval(
    repo: ChatRepository,
    provider: OpenRouterClient,
    fake_openrouter: FakeOpenRouter,
    data_dir: Path,
) -> None:
    gate = Gate()
    pieces = ["one ", "two ", "three ", "four ", "five"]
    fake_openrouter.enqueue(Reply.stream(pieces, keepalives=0, hold_after=(4, gate)))
    clock = ManualClock()
    orch = _orchestrator(repo, provider, persist_interval_s=0.25, clock=clock)
    conv = await repo.create_conversation()
    assistant_id = -1
    received = 0
    snapshots: list[str] = []
    async for event in orch.send(conv.id, "count", CONFIG):
        if isinstance(event, TurnStarted):
            assistant_id = event.assistant_message_id
        if isinstance(event, TextDelta):
            received += 1
            snapshots.append(
                _db_rows(data_dir, "SELECT content FROM messages WHERE id = ?", assistant_id)[0][0]
            )
            clock.now += 0.1  # 100 ms between tokens: a write every third token
            if received == 4:
                gate.set()
    # Token n is yielded before its own write, so snapshot n shows what was written up to n-1.
    assert snapshots == ["", "", "", "one two three ", "one two three "]
    final = _db_rows(data_dir, "SELECT content, status FROM messages WHERE id = ?", assistant_id)
    assert final == [("one two three four five", "complete")]


async def test_a_killed_process_loses_at_most_the_interval(
    repo: ChatRepository,
    provider: OpenRouterClient,
    fake_openrouter: FakeOpenRouter,
    data_dir: Path,
) -> None:
    gate = Gate()
    pieces = [f"t{i} " for i in range(10)]
    fake_openrouter.enqueue(Reply.stream(pieces, keepalives=0, hold_after=(7, gate)))
    clock = ManualClock()
    orch = _orchestrator(repo, provider, persist_interval_s=0.25, clock=clock)
    conv = await repo.create_conversation()
    got: list[str] = []
    assistant_id = -1
    async for event in orch.send(conv.id, "go", CONFIG):
        if isinstance(event, TurnStarted):
            assistant_id = event.assistant_message_id
        if isinstance(event, TextDelta):
            got.append(event.text)
            clock.now += 0.3  # each token arrives 300 ms after the previous one
            if len(got) == 7:
                # The process "dies" as token 7 arrives: on disk is everything that arrived
                # more than 250 ms ago, i.e. all but this very token.
                on_disk = _db_rows(
                    data_dir, "SELECT content FROM messages WHERE id = ?", assistant_id
                )[0][0]
                assert on_disk == "".join(got[:-1])
                gate.set()
    assert "".join(got) == "".join(pieces)


async def test_cancel_keeps_the_partial_answer_and_closes_the_stream(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    gate = Gate()
    fake_openrouter.enqueue(Reply.stream(["Partial ", "answer ", "never"], hold_after=(2, gate)))
    conv = await repo.create_conversation()
    orch = _orchestrator(repo, provider)
    two_tokens = asyncio.Event()
    assistant_id: list[int] = []

    async def consume() -> None:
        n = 0
        async for event in orch.send(conv.id, "Tell me", CONFIG):
            if isinstance(event, TurnStarted):
                assistant_id.append(event.assistant_message_id)
            if isinstance(event, TextDelta):
                n += 1
                if n == 2:
                    two_tokens.set()

    task = asyncio.create_task(consume())
    await two_tokens.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    message = await repo.get_message(assistant_id[0])
    assert message is not None
    assert message.status is MessageStatus.CANCELLED
    assert message.content == "Partial answer "
    assert await fake_openrouter.wait_until_async(lambda f: f.disconnects == 1)
    gate.set()


async def test_mid_stream_error_keeps_partial_text_and_the_next_turn_works(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    fake_openrouter.enqueue(
        Reply.stream(
            "The first half",
            error={"code": 502, "message": "Provider returned error"},
        ),
        Reply.stream("Recovered."),
    )
    conv = await repo.create_conversation()
    orch = _orchestrator(repo, provider)
    events = await _collect(orch.send(conv.id, "Q1", CONFIG))
    failed = events[-1]
    assert isinstance(failed, TurnFailed)
    assert "Provider returned error" in failed.error.user_message
    assert failed.message is not None
    assert failed.message.status is MessageStatus.ERROR
    assert failed.message.content == "The first half"
    assert failed.message.error == failed.error.user_message

    events = await _collect(orch.send(conv.id, "Q2", CONFIG))
    assert isinstance(events[-1], TurnDone)
    second = fake_openrouter.requests_to()[1].json
    assert second is not None
    assert [m["content"] for m in second["messages"]] == ["Q1", "The first half", "Q2"]


async def test_a_bad_key_fails_with_an_auth_error_and_nothing_is_lost(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    fake_openrouter.enqueue(Reply.error(401, "No auth credentials found"))
    conv = await repo.create_conversation()
    events = await _collect(_orchestrator(repo, provider).send(conv.id, "my text", CONFIG))
    failed = events[-1]
    assert isinstance(failed, TurnFailed)
    assert failed.error.kind == "auth"
    stored = await repo.list_messages(conv.id)
    assert stored[0].content == "my text"
    assert stored[1].status is MessageStatus.ERROR


async def test_no_network_is_a_network_error(repo: ChatRepository) -> None:
    async def no_sleep(_delay: float) -> None:
        return None

    dead = OpenRouterClient("http://127.0.0.1:9/api/v1", "k", max_attempts=2, sleep=no_sleep)
    try:
        conv = await repo.create_conversation()
        events = await _collect(ChatOrchestrator(repo, dead).send(conv.id, "hello?", CONFIG))
    finally:
        await dead.aclose()
    failed = events[-1]
    assert isinstance(failed, TurnFailed)
    assert failed.error.kind == "network"
    assert failed.error.retryable


async def test_empty_text_is_refused_without_a_request(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    conv = await repo.create_conversation()
    events = await _collect(_orchestrator(repo, provider).send(conv.id, "  \n ", CONFIG))
    assert len(events) == 1 and isinstance(events[0], TurnFailed)
    assert events[0].error.kind == "input"
    assert fake_openrouter.requests_to() == []
    assert await repo.count_messages(conv.id) == 0


async def test_regenerate_adds_a_sibling_answer_and_keeps_the_first(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    fake_openrouter.enqueue(Reply.stream("First answer"), Reply.stream("Second answer"))
    conv = await repo.create_conversation()
    orch = _orchestrator(repo, provider)
    await _collect(orch.send(conv.id, "Question", CONFIG))
    events = await _collect(orch.regenerate(conv.id, CONFIG))
    started = events[0]
    assert isinstance(started, TurnStarted) and started.user_message is None
    question, first, _second = await repo.all_messages(conv.id)
    assert started.after_id == question.id
    assert isinstance(events[-1], TurnDone) and events[-1].replaced is None
    stored = await repo.list_messages(conv.id)
    assert [m.content for m in stored] == ["Question", "Second answer"]
    assert stored[1].sibling_ids == (first.id, stored[1].id)
    assert first.content == "First answer"
    retry_body = fake_openrouter.requests_to()[1].json
    assert retry_body is not None
    assert retry_body["messages"] == [{"role": "user", "content": "Question"}]


async def test_request_carries_system_prompt_parameters_routing_and_reasoning(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    config = TurnConfig(
        model="anthropic/claude-sonnet-4",
        system_prompt="Be terse.",
        parameters={"temperature": 0.2, "max_tokens": 300, "seed": 7},
        provider_routing={"sort": "price", "data_collection": "deny"},
        reasoning={"effort": "low"},
        generate_titles=False,
    )
    conv = await repo.create_conversation()
    await _collect(_orchestrator(repo, provider).send(conv.id, "Hi", config))
    body = fake_openrouter.requests_to()[0].json
    assert body is not None
    assert body["model"] == "anthropic/claude-sonnet-4"
    assert body["messages"][0] == {"role": "system", "content": "Be terse."}
    assert body["temperature"] == 0.2 and body["max_tokens"] == 300 and body["seed"] == 7
    assert body["provider"] == {"sort": "price", "data_collection": "deny"}
    assert body["reasoning"] == {"effort": "low"}
    refreshed = await repo.get_conversation(conv.id)
    assert refreshed is not None and refreshed.model == "anthropic/claude-sonnet-4"


async def test_history_is_trimmed_to_the_models_context(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    conv = await repo.create_conversation()
    for i in range(20):
        await repo.append_message(conv.id, "user", f"question {i} " + "word " * 100)
        await repo.append_message(conv.id, "assistant", f"answer {i} " + "word " * 100)
    small = ModelInfo(MODEL, context_length=2000, max_completion_tokens=500)
    orch = _orchestrator(repo, provider, model_info=lambda m: small if m == MODEL else None)
    await _collect(orch.send(conv.id, "latest", CONFIG))
    body = fake_openrouter.requests_to()[0].json
    assert body is not None
    sent = body["messages"]
    assert sent[-1] == {"role": "user", "content": "latest"}
    assert 2 < len(sent) < 41
    assert sum(len(m["content"]) for m in sent) // 4 <= 2000 - 500
    assert "question 19" in sent[-3]["content"]


async def test_a_new_conversation_is_titled_after_the_first_exchange(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    fake_openrouter.enqueue(Reply.stream("Bake at 230 °C."), Reply.completion('"Baking Bread."'))
    conv = await repo.create_conversation()
    config = TurnConfig(model=MODEL, title_model="cheap/model")
    events = await _collect(_orchestrator(repo, provider).send(conv.id, "How to bake?", config))
    assert isinstance(events[-2], TurnDone)
    assert events[-1] == TitleChanged(conv.id, "Baking Bread")
    title_request = fake_openrouter.requests_to()[1].json
    assert title_request is not None
    assert title_request["stream"] is False and title_request["model"] == "cheap/model"
    stored = await repo.get_conversation(conv.id)
    assert stored is not None and stored.title == "Baking Bread"

    # The second exchange does not ask for a title again.
    await _collect(_orchestrator(repo, provider).send(conv.id, "And rye?", config))
    assert len(fake_openrouter.requests_to()) == 3


async def test_title_falls_back_to_the_first_words(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    fake_openrouter.enqueue(Reply.stream("Sure."), Reply.error(500, "boom"))
    conv = await repo.create_conversation()
    text = "Please explain the difference between TCP and UDP in detail"
    config = TurnConfig(model=MODEL)
    events = await _collect(_orchestrator(repo, provider).send(conv.id, text, config))
    assert events[-1] == TitleChanged(conv.id, "Please explain the difference between TCP…")


async def test_a_user_rename_is_never_overwritten_by_a_title(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    conv = await repo.create_conversation()
    await repo.rename_conversation(conv.id, "Mine")
    events = await _collect(_orchestrator(repo, provider).send(conv.id, "hi", TurnConfig(MODEL)))
    assert not any(isinstance(e, TitleChanged) for e in events)
    assert len(fake_openrouter.requests_to()) == 1


async def test_tool_loop_runs_calls_in_parallel_and_sends_results_back(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    calls = [
        ToolCall("call_1", "calc__add", '{"a": 2, "b": 3}'),
        ToolCall("call_2", "calc__add", '{"a": 10, "b": 1}'),
    ]
    fake_openrouter.enqueue(
        Reply.stream("", tool_calls=calls), Reply.stream("The sums are 5 and 11.")
    )
    tools = CalculatorTools()
    conv = await repo.create_conversation()
    events = await _collect(
        _orchestrator(repo, provider, tools=tools).send(conv.id, "add them", CONFIG)
    )
    started = [e.call.id for e in events if isinstance(e, ToolCallStarted)]
    finished = {e.call.id: e.result for e in events if isinstance(e, ToolCallFinished)}
    assert started == ["call_1", "call_2"]
    (cont,) = [e for e in events if isinstance(e, AssistantContinued)]
    assert cont.previous.tool_calls == tuple(calls)
    assert cont.previous.status is MessageStatus.COMPLETE
    assert isinstance(events[-1], TurnDone) and events[-1].message.id == cont.message_id
    assert finished == {"call_1": "5", "call_2": "11"}
    assert isinstance(events[-1], TurnDone)
    assert events[-1].message.content == "The sums are 5 and 11."

    first, second = fake_openrouter.requests_to()
    assert first.json is not None and first.json["tools"][0]["function"]["name"] == "calc__add"
    assert second.json is not None
    msgs = second.json["messages"]
    assert msgs[1]["role"] == "assistant"
    assert [c["id"] for c in msgs[1]["tool_calls"]] == ["call_1", "call_2"]
    assert msgs[2] == {"role": "tool", "tool_call_id": "call_1", "content": "5"}
    assert msgs[3] == {"role": "tool", "tool_call_id": "call_2", "content": "11"}
    rows = await repo.list_messages(conv.id)
    assert [m.role for m in rows] == ["user", "assistant", "tool", "tool", "assistant"]


async def test_tool_errors_and_huge_results_reach_the_model_safely(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    calls = [
        ToolCall("c1", "calc__add", '{"boom": true}'),
        ToolCall("c2", "calc__add", '{"huge": true}'),
    ]
    fake_openrouter.enqueue(Reply.stream("", tool_calls=calls), Reply.stream("done"))
    conv = await repo.create_conversation()
    tools = CalculatorTools()
    events = await _collect(_orchestrator(repo, provider, tools=tools).send(conv.id, "go", CONFIG))
    finished = {e.call.id: e for e in events if isinstance(e, ToolCallFinished)}
    assert finished["c1"].error is not None and "exploded" in finished["c1"].error
    assert finished["c2"].error is None
    assert len(finished["c2"].result) < MAX_TOOL_RESULT_CHARS + 200
    assert "truncated" in finished["c2"].result


async def test_cancel_during_a_tool_call_stops_waiting_at_once(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    fake_openrouter.enqueue(Reply.stream("", tool_calls=[ToolCall("c1", "calc__add", "{}")]))
    tools = CalculatorTools()
    tools.hang = True
    conv = await repo.create_conversation()
    orch = _orchestrator(repo, provider, tools=tools)
    running = asyncio.Event()

    async def consume() -> None:
        async for event in orch.send(conv.id, "go", CONFIG):
            if isinstance(event, ToolCallStarted):
                running.set()

    task = asyncio.create_task(consume())
    await running.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert tools.release.is_set() is False  # it never finished, yet the turn ended
    assert len(fake_openrouter.requests_to()) == 1


async def test_tool_rounds_are_limited(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    for i in range(2):
        fake_openrouter.enqueue(
            Reply.stream("", tool_calls=[ToolCall(f"c{i}", "calc__add", '{"a": 1}')])
        )
    fake_openrouter.enqueue(Reply.stream("Final answer without tools."))
    conv = await repo.create_conversation()
    orch = _orchestrator(repo, provider, tools=CalculatorTools(), max_tool_rounds=2)
    events = await _collect(orch.send(conv.id, "loop", CONFIG))
    assert isinstance(events[-1], TurnDone)
    bodies = [r.json for r in fake_openrouter.requests_to()]
    assert len(bodies) == 3
    assert all(b is not None and "tools" in b for b in bodies[:2])
    assert bodies[2] is not None and "tools" not in bodies[2]


async def test_only_one_title_request_per_conversation_at_a_time(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    gate = Gate()
    fake_openrouter.enqueue(
        Reply.stream("one"),
        Reply.completion("Title One", hold_headers=gate),
        Reply.stream("two"),
    )
    conv = await repo.create_conversation()
    orch = _orchestrator(repo, provider)
    config = TurnConfig(model=MODEL)
    first = asyncio.create_task(_collect(orch.send(conv.id, "first", config)))
    assert await fake_openrouter.wait_until_async(lambda f: len(f.requests_to()) == 2)
    second = await _collect(orch.send(conv.id, "second", config))  # while the title is held
    assert not any(isinstance(e, TitleChanged) for e in second)
    gate.set()
    events = await first
    assert events[-1] == TitleChanged(conv.id, "Title One")
    assert len(fake_openrouter.requests_to()) == 3


async def test_a_failed_regenerate_keeps_the_old_answer(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    fake_openrouter.enqueue(
        Reply.stream("The good answer."),
        Reply.error(402, "Insufficient credits"),
        Reply.stream("The better answer."),
    )
    conv = await repo.create_conversation()
    orch = _orchestrator(repo, provider)
    await _collect(orch.send(conv.id, "Question", CONFIG))
    events = await _collect(orch.regenerate(conv.id, CONFIG))
    failed = events[-1]
    assert isinstance(failed, TurnFailed) and failed.error.kind == "credits"
    assert failed.kept_previous and failed.message is None
    # Taken back whole: the old answer is the one shown, and no empty sibling is left.
    stored = [(m.content, m.status) for m in await repo.list_messages(conv.id)]
    assert stored == [
        ("Question", MessageStatus.COMPLETE),
        ("The good answer.", MessageStatus.COMPLETE),
    ]
    assert len(await repo.all_messages(conv.id)) == 2
    # The retry's request never showed the model the answer it replaces.
    retry_body = fake_openrouter.requests_to()[1].json
    assert retry_body is not None
    assert retry_body["messages"] == [{"role": "user", "content": "Question"}]

    events = await _collect(orch.regenerate(conv.id, CONFIG))
    done = events[-1]
    assert isinstance(done, TurnDone) and done.replaced is None
    assert [m.content for m in await repo.list_messages(conv.id)] == [
        "Question",
        "The better answer.",
    ]
    assert [m.content for m in await repo.all_messages(conv.id)] == [
        "Question",
        "The good answer.",
        "The better answer.",
    ]


async def test_reasoning_is_persisted_while_it_streams(
    repo: ChatRepository,
    provider: OpenRouterClient,
    fake_openrouter: FakeOpenRouter,
    data_dir: Path,
) -> None:
    gate = Gate()
    reasoning = ["Think ", "step ", "by ", "step."]
    fake_openrouter.enqueue(
        Reply.stream("Answer.", reasoning=reasoning, keepalives=0, hold_after=(4, gate))
    )
    clock = ManualClock()
    orch = _orchestrator(repo, provider, persist_interval_s=0.25, clock=clock)
    conv = await repo.create_conversation()
    assistant_id = -1
    async for event in orch.send(conv.id, "why?", CONFIG):
        if isinstance(event, TurnStarted):
            assistant_id = event.assistant_message_id
        if isinstance(event, ReasoningDelta):
            clock.now += 0.3  # a long think: each piece 300 ms apart
            if event.text == "step.":
                # Before any answer text, the reasoning so far is already on disk.
                stored = _db_rows(
                    data_dir, "SELECT reasoning FROM messages WHERE id = ?", assistant_id
                )[0][0]
                assert stored == "Think step by "
                gate.set()
    done = await repo.get_message(assistant_id)
    assert done is not None and done.reasoning == "Think step by step."
