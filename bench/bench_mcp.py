"""MCP tool-call benchmark: calls through MCPToolAggregator + ApprovingToolHost (policy
allow_all) and recorded in the ledger as a turn's ``ToolRound`` does (one transaction per
round of the model's calls, ``record_tool_calls``), against the same calls on a bare
``mcp.Client`` connected to the same server. Target (issue #14): <= 1.15x, median per-call
time, for rounds of ``--per-round`` calls (3 by default); rounds of one call are shown too.

Both talk to the built-in calculator server (``python -m chatdesk.mcp.servers.calculator``,
one stdio subprocess each). Rounds interleave the two so that machine noise hits both alike.

Run from the repository root: ``.venv/bin/python -m bench.bench_mcp [--calls N] [--rounds N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import TextContent

from bench.common import fmt_seconds, print_table, verdict
from chatdesk.core.models import ToolCall
from chatdesk.core.ports import ToolCallRecord
from chatdesk.mcp.aggregator import MCPToolAggregator
from chatdesk.mcp.approvals import ApprovalPolicy, ApprovalStore, ApprovingToolHost
from chatdesk.mcp.config import MCPConfig, builtin_server
from chatdesk.mcp.status import ServerState, ServerStatus

TARGET = 1.15
EXPRESSION = "(2 ** 10 + sqrt(144)) * 3 - 7 // 2"
EXPECTED = "3105.0"


async def _bare_call(client: Client) -> str:
    result = await client.call_tool("calculate", {"expression": EXPRESSION})
    first = result.content[0]
    assert isinstance(first, TextContent)
    return first.text


async def run(
    calls: int, rounds: int, per_round: int
) -> tuple[list[float], list[float], list[float], list[float]]:
    """Per-call times (seconds) of the bare client, of the aggregator path with the ledger
    (rounds of ``per_round`` calls, and of one call), and of the aggregator path alone."""
    ready = asyncio.Event()

    def on_status(status: ServerStatus) -> None:
        if status.state is ServerState.READY:
            ready.set()

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        aggregator = MCPToolAggregator(
            MCPConfig({"calc": builtin_server("calculator")}),
            logs_dir=data / "logs",
            on_status=on_status,
        )
        policy = ApprovalPolicy(ApprovalStore(data / "mcp_approvals.json"), lambda _s: "allow_all")
        host = ApprovingToolHost(aggregator, policy)
        call = ToolCall("b1", "calc__calculate", json.dumps({"expression": EXPRESSION}))
        params = StdioServerParameters(
            command=sys.executable, args=["-m", "chatdesk.mcp.servers.calculator"]
        )
        from chatdesk.storage.repository import ChatRepository

        repo = await ChatRepository.open(data / "chatdesk.db")
        conversation = await repo.create_conversation("bench")
        message = await repo.append_message(conversation.id, "assistant", "", tool_calls=[call])

        async def round_of(size: int) -> None:
            """A round as a turn makes it: the calls, then their ledger entries in one write."""
            records = []
            for _ in range(size):
                started = time.time()
                result = await host.call_tool(call, conversation_id=conversation.id)
                records.append(
                    ToolCallRecord(
                        call,
                        result.server_id,
                        result.content,
                        None,
                        "ok",
                        started,
                        (result.duration_s or 0) * 1000,
                        result.decision,
                    )
                )
            await repo.record_tool_calls(message.id, records)

        aggregator.start()
        with (data / "bare.log").open("w", encoding="utf-8") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as bare:
                await asyncio.wait_for(ready.wait(), 60)
                assert await _bare_call(bare) == EXPECTED
                result = await host.call_tool(call)
                assert (result.content, result.is_error) == (EXPECTED, False), result
                base: list[float] = []
                measured: list[float] = []
                single: list[float] = []
                unrecorded: list[float] = []
                # Interleaved round by round, so that the machine's drift hits all alike.
                for _ in range(rounds * calls // per_round):
                    start = time.perf_counter()
                    for _ in range(per_round):
                        await _bare_call(bare)
                    base.append((time.perf_counter() - start) / per_round)
                    start = time.perf_counter()
                    await round_of(per_round)
                    measured.append((time.perf_counter() - start) / per_round)
                    start = time.perf_counter()
                    await round_of(1)
                    single.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    for _ in range(per_round):
                        await host.call_tool(call, conversation_id=conversation.id)
                    unrecorded.append((time.perf_counter() - start) / per_round)
        await aggregator.aclose()
        await repo.close()
    return base, measured, single, unrecorded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="calls per round and path")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=3, help="calls the model asks at once")
    args = parser.parse_args()
    rounds = max(5, args.rounds)
    per_round = max(1, args.per_round)
    base, measured, single, unrecorded = asyncio.run(run(max(10, args.calls), rounds, per_round))
    b, m = statistics.median(base), statistics.median(measured)
    u, one = statistics.median(unrecorded), statistics.median(single)
    print(f"{len(base):,} rounds per path, interleaved round by round; median per call")
    print_table(
        ["measure", "aggregator + approvals + ledger", "bare mcp Client", "ratio", "target", ""],
        [
            [
                f"calculator tool call (stdio), rounds of {per_round}",
                fmt_seconds(m),
                fmt_seconds(b),
                f"{m / b:.3f}x",
                f"<= {TARGET:.2f}x",
                verdict(m / b <= TARGET),
            ],
            [
                "  rounds of one call",
                fmt_seconds(one),
                fmt_seconds(b),
                f"{one / b:.3f}x",
                "",
                "",
            ],
            [
                "  the same without the ledger write",
                fmt_seconds(u),
                fmt_seconds(b),
                f"{u / b:.3f}x",
                "",
                "",
            ],
        ],
    )


if __name__ == "__main__":
    main()
