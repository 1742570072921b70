"""The runner's lifecycle details: tools that change, start failures, logs."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from mcp_helpers import Statuses, call, config, new_aggregator

from chatdesk.mcp.aggregator import MCPToolAggregator
from chatdesk.mcp.runner import MAX_LOG_BYTES
from chatdesk.mcp.status import ServerState, ServerStatus
from fakes.ports import free_port

HERE = Path(__file__).parent


class MoreStatuses(Statuses):
    async def wait_for_more(self, count: int, limit_s: float = 30) -> None:
        """Wait until more than ``count`` statuses were reported."""
        async with asyncio.timeout(limit_s):
            while len(self.history) <= count:
                self._changed.clear()
                await self._changed.wait()


async def _no_wait(_delay: float) -> None:
    return None


async def _wait_for_tool(agg: MCPToolAggregator, statuses: MoreStatuses, name: str) -> None:
    """Wait (by status events, with a limit) until ``name`` is offered."""
    for _ in range(50):
        if name in {s.name for s in agg.tool_specs()}:
            return
        count = len(statuses.history)
        await statuses.wait_for_more(count)
    raise AssertionError(f"{name} never appeared")


@pytest.mark.parametrize("script", ["grow_server.py", "legacy_server.py"])
async def test_tools_follow_list_changed(script: str, data_dir: Path) -> None:
    """Both eras: a 2026 server (subscriptions/listen) and a 2025 one (unasked notification)."""
    statuses = MoreStatuses()
    cfg = config(g={"command": sys.executable, "args": [str(HERE / script)]})
    agg = new_aggregator(cfg, data_dir, statuses)
    agg.start()
    try:
        ready = await statuses.wait("g", ServerState.READY)
        assert ready.tool_count == 1 and [s.name for s in agg.tool_specs()] == ["g__grow"]
        assert (await agg.call_tool(call("g__grow", '{"name": "extra"}'))).content == "grown"
        await _wait_for_tool(agg, statuses, "g__extra")
        assert statuses.latest["g"].tool_count == 2
        assert (await agg.call_tool(call("g__extra"))).content == "I am extra"
    finally:
        await agg.aclose()


async def test_a_tool_list_that_breaks_mcp_is_a_clear_failure_not_retried(
    data_dir: Path,
) -> None:
    statuses = Statuses()
    script = str(HERE / "legacy_server.py")
    cfg = config(
        bad={"command": sys.executable, "args": [script, "--broken"]},
        worse={"command": sys.executable, "args": [script, "--invalid"]},
    )
    agg = new_aggregator(cfg, data_dir, statuses, sleep=_no_wait)
    agg.start()
    try:
        for server_id, where, why in (
            ("bad", "inputSchema.required", "Input should be a valid list"),
            ("worse", "inputSchema.type", "Input should be 'object'"),
        ):
            failed = await statuses.wait(server_id, ServerState.FAILED)
            assert failed.retry_in is None  # retrying would get the same list
            assert failed.reason == f"its tool list does not follow MCP: tool 2: {where}: {why}"
        assert list(agg.tool_specs()) == []
    finally:
        await agg.aclose()


def test_a_schema_no_provider_takes_is_named() -> None:
    from chatdesk.mcp.tool_schema import schema_problem

    assert schema_problem({"type": "object", "properties": {"a": {"type": "string"}}}) is None
    assert schema_problem({"properties": {"a": True}}) is None  # "type" may be left out
    assert schema_problem({"type": "array"}) == (
        "its input schema is of type 'array', not an object"
    )
    assert schema_problem({"type": "object", "properties": {"a": 3}}) == (
        "its argument 'a' has no schema"
    )
    assert schema_problem({"type": "object", "required": "a"}) == (
        "its input schema's required list is not a list of names"
    )


async def test_start_failures_say_why(data_dir: Path, tmp_path: Path) -> None:
    statuses = Statuses()
    hang = "import time; time.sleep(120)"
    cfg = config(
        nope={"command": "chatdesk", "args": ["mcp-server", "nope"]},
        nowhere={"command": sys.executable, "cwd": str(tmp_path / "missing")},
        hangs={"command": sys.executable, "args": ["-c", hang], "timeout_s": 0.5},
        web={"type": "http", "url": f"http://127.0.0.1:{free_port()}/mcp"},
    )
    agg = new_aggregator(
        cfg, data_dir, statuses, max_restarts=0, min_start_timeout_s=0.5, sleep=_no_wait
    )
    agg.start()
    try:
        nope = await statuses.wait("nope", ServerState.FAILED)
        assert "there is no built-in server 'nope'" in nope.reason
        nowhere = await statuses.wait("nowhere", ServerState.FAILED)
        assert nowhere.reason == f"the working folder {tmp_path / 'missing'} does not exist"
        hangs = await statuses.wait("hangs", ServerState.FAILED)
        assert hangs.reason == "the server did not start within 0.5 s"
        web = await statuses.wait("web", ServerState.FAILED)
        assert "connection refused" in web.reason
        # Remote servers have no stderr, but their failures are in their log too.
        log_text = agg.log_file("web").read_text(encoding="utf-8")
        assert f"--- failed: {web.reason}" in log_text
    finally:
        await agg.aclose()


async def test_big_logs_are_rotated_at_start(data_dir: Path) -> None:
    statuses = Statuses()
    agg = new_aggregator(
        config(calc={"command": "chatdesk", "args": ["mcp-server", "calculator"]}),
        data_dir,
        statuses,
    )
    log_file = agg.log_file("calc")
    log_file.parent.mkdir(parents=True)
    log_file.write_text("x" * (MAX_LOG_BYTES + 1), encoding="utf-8")
    agg.start()
    try:
        await statuses.wait("calc", ServerState.READY)
        assert log_file.with_name("calc.log.1").stat().st_size == MAX_LOG_BYTES + 1
        assert log_file.read_text(encoding="utf-8").startswith("--- starting chatdesk")
        result = await agg.call_tool(call("calc__calculate", '{"expression": "2**5"}'))
        assert result.content == "32"
    finally:
        await agg.aclose()


def test_status_lines() -> None:
    assert ServerStatus("a", ServerState.READY, tool_count=1).describe() == "ready · 1 tool"
    failed = ServerStatus("a", ServerState.FAILED, "boom", retry_in=2.0)
    assert failed.describe() == "failed: boom (retrying in 2 s)"
    assert ServerStatus("a", ServerState.STOPPED, "disabled").describe() == "stopped (disabled)"
    assert ServerStatus("a", ServerState.STARTING).describe() == "starting…"
