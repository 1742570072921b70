"""What the orchestrator makes of a tool result: the denied flag and the host's own duration."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chatdesk.core.events import ToolCallFinished, TurnDone
from chatdesk.core.models import ToolCall, ToolSpec, TurnConfig
from chatdesk.core.orchestrator import ChatOrchestrator
from chatdesk.core.ports import ToolResult
from chatdesk.core.tool_round import MAX_TOOL_RESULT_CHARS
from chatdesk.providers.openrouter import OpenRouterClient
from chatdesk.storage.repository import ChatRepository
from fakes.openrouter import FakeOpenRouter, Reply

CONFIG = TurnConfig(model="openai/gpt-4o-mini", generate_titles=False)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ScriptedTools:
    """Answers each call by its id; every call takes 4 s of ``clock`` time (the approval
    wait, say), of which the result may report how long the tool itself ran."""

    def __init__(self, clock: Clock, results: dict[str, ToolResult]) -> None:
        self.clock = clock
        self.results = results

    def tool_specs(self) -> Sequence[ToolSpec]:
        return [ToolSpec("t__run", "Run", {"type": "object"})]

    async def call_tool(self, call: ToolCall, **kwargs: Any) -> ToolResult:
        self.clock.now += 4.0
        return self.results[call.id]


async def test_denied_flag_and_the_hosts_duration_reach_the_event_and_the_store(
    repo: ChatRepository,
    provider: OpenRouterClient,
    fake_openrouter: FakeOpenRouter,
    data_dir: Path,
) -> None:
    clock = Clock()
    results = {
        "denied": ToolResult("The user denied this call", server_id="t", denied=True, duration_s=0),
        "measured": ToolResult("ran", server_id="t", duration_s=1.5),
        "unmeasured": ToolResult("ran too", server_id="t"),
        "huge": ToolResult("x" * (MAX_TOOL_RESULT_CHARS + 10), denied=True, duration_s=0.25),
    }
    calls = [ToolCall(call_id, "t__run", "{}") for call_id in results]
    fake_openrouter.enqueue(Reply.stream("", tool_calls=calls), Reply.stream("done"))
    conv = await repo.create_conversation()
    orch = ChatOrchestrator(repo, provider, tools=ScriptedTools(clock, results), clock=clock)
    events = [e async for e in orch.send(conv.id, "go", CONFIG)]
    assert isinstance(events[-1], TurnDone)

    finished = {e.call.id: e for e in events if isinstance(e, ToolCallFinished)}
    assert {k: (e.denied, e.duration_s) for k, e in finished.items()} == {
        "denied": (True, 0.0),
        "measured": (False, 1.5),
        "unmeasured": (False, 4.0),  # not measured by the host: the whole call
        "huge": (True, 0.25),  # cut to size, still flagged and timed
    }
    assert "truncated" in finished["huge"].result
    with sqlite3.connect(data_dir / "chatdesk.db") as conn:
        rows = dict(
            (r[0], (r[1], r[2]))
            for r in conn.execute("SELECT call_id, status, duration_ms FROM tool_calls")
        )
    assert rows == {
        "denied": ("denied", 0.0),
        "measured": ("ok", 1500.0),
        "unmeasured": ("ok", 4000.0),
        "huge": ("denied", 250.0),
    }
    runs = await repo.tool_runs([m.id for m in await repo.list_messages(conv.id)])
    assert runs["denied"] == (False, 0.0, True)  # a denied call did not fail
    assert runs["measured"] == (False, 1.5, False)
