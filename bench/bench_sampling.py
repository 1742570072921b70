"""MCP sampling benchmark: what chatdesk adds to a server's ``sampling/createMessage`` round
trip over the provider's own time. Target (issue #14): <= 5 ms per request.

server-everything (npm, ``make mcp-servers``) calls back through its
``trigger-sampling-request`` tool; the request runs through the aggregator, the broker (call
deadline held, conversation found), the ``Sampler`` (model choice, token cap, the completion
streamed from a fake OpenRouter on 127.0.0.1, the ledger row written to SQLite) with the
server's policy set to allow, as a user who chose "Allow" has it. The callback's time minus the
time spent inside the provider is chatdesk's share. A ratio is printed too: the whole callback
against the provider alone, measured in the same run.

Run from the repository root: ``.venv/bin/python -m bench.bench_sampling [--requests N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import statistics
import tempfile
import time
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from tests.fakes.openrouter import FakeOpenRouter, Reply

from bench.common import fmt_seconds, print_table, verdict
from chatdesk.core.models import ChatRequest, ToolCall
from chatdesk.mcp.aggregator import MCPToolAggregator
from chatdesk.mcp.config import parse_config
from chatdesk.mcp.request_record import ServerRequestRecord
from chatdesk.mcp.sampling import Sampler
from chatdesk.mcp.server_requests import ServerRequestBroker
from chatdesk.mcp.status import ServerState, ServerStatus
from chatdesk.providers.openrouter import OpenRouterClient
from chatdesk.storage.repository import ChatRepository

TARGET_MS = 5.0
EVERYTHING = Path(".cache/mcp-servers/node_modules/.bin/mcp-server-everything")


class TimedProvider:
    """The real client, timing what happens inside it."""

    def __init__(self, inner: OpenRouterClient) -> None:
        self.inner = inner
        self.spent: list[float] = []

    async def stream_chat(self, request: ChatRequest) -> AsyncGenerator[Any, None]:
        started = time.perf_counter()
        try:
            async for event in self.inner.stream_chat(request):
                yield event
        finally:
            self.spent.append(time.perf_counter() - started)


async def run(requests: int) -> tuple[list[float], list[float]]:
    """Per-request callback times and provider times (seconds)."""
    fake = FakeOpenRouter()
    fake.set_default(Reply.stream("Steam curls from the cup; leaves unfold in quiet heat."))
    fake.start()
    ready = asyncio.Event()

    def on_status(status: ServerStatus) -> None:
        if status.state is ServerState.READY:
            ready.set()

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        repo = await ChatRepository.open(data / "chatdesk.db")
        conversation = await repo.create_conversation("bench")
        provider = TimedProvider(OpenRouterClient(fake.base_url, "sk-bench"))

        async def record(entry: ServerRequestRecord) -> None:
            await repo.record_server_request(**dataclasses.asdict(entry))

        sampler = Sampler(
            lambda: provider,  # type: ignore[arg-type,return-value]
            asker=None,  # allowed by policy: nothing is asked
            active_model=lambda _c: "bench/model",
            catalogue=lambda: (),
            record=record,
        )
        command = str(Path.cwd() / EVERYTHING)
        server = {"command": command, "args": ["stdio"], "sampling": "allow"}
        aggregator = MCPToolAggregator(
            parse_config({"mcpServers": {"e": server}}),
            logs_dir=data / "logs",
            on_status=on_status,
        )
        broker = ServerRequestBroker(aggregator.in_flight, lambda: conversation.id, sampler=sampler)
        callback_times: list[float] = []
        original = broker.client_callbacks

        def timed_callbacks(server_id: str, config: Any) -> dict[str, Any]:
            options = original(server_id, config)
            inner = options["sampling_callback"]

            async def sampling(context: Any, params: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await inner(context, params)
                finally:
                    callback_times.append(time.perf_counter() - started)

            options["sampling_callback"] = sampling
            return options

        broker.client_callbacks = timed_callbacks  # type: ignore[method-assign]
        aggregator.server_requests = broker
        aggregator.start()
        await asyncio.wait_for(ready.wait(), 60)
        arguments = json.dumps({"prompt": "a haiku about tea", "maxTokens": 60})
        call = ToolCall("s1", "e__trigger-sampling-request", arguments)
        for _ in range(5):  # warm up (imports, first connections)
            result = await aggregator.call_tool(call, conversation_id=conversation.id)
            assert "Steam curls" in result.content, result.content
        callback_times.clear()
        provider.spent.clear()
        for _ in range(requests):
            await aggregator.call_tool(call, conversation_id=conversation.id)
        await aggregator.aclose()
        await provider.inner.aclose()
        await repo.close()
    fake.close()
    return callback_times, provider.spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    if not EVERYTHING.exists():
        print("server-everything is not installed: run `make mcp-servers` first")
        return
    callbacks, provider = asyncio.run(run(max(20, args.requests)))
    overhead = [c - p for c, p in zip(callbacks, provider, strict=True)]
    c, p, o = statistics.median(callbacks), statistics.median(provider), statistics.median(overhead)
    print(f"{len(callbacks)} sampling round trips, median per request")
    print_table(
        ["measure", "chatdesk's callback", "provider alone", "ratio", "added", "target", ""],
        [
            [
                "sampling/createMessage (allowed by policy)",
                fmt_seconds(c),
                fmt_seconds(p),
                f"{c / p:.3f}x",
                fmt_seconds(o),
                f"<= {TARGET_MS:g} ms added",
                verdict(o * 1000 <= TARGET_MS),
            ]
        ],
    )


if __name__ == "__main__":
    main()
