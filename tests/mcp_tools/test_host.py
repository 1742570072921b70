"""DeferredToolHost: nothing offered until the MCP side exists, then the real host."""

from __future__ import annotations

from pathlib import Path

from mcp_helpers import Statuses, builtin, call, config

from chatdesk.mcp.aggregator import MCPToolAggregator
from chatdesk.mcp.host import DeferredToolHost
from chatdesk.mcp.status import ServerState


async def test_deferred_until_set(data_dir: Path) -> None:
    host = DeferredToolHost()
    assert host.tool_specs() == () and not host.ready
    early = await host.call_tool(call("calc__calculate", '{"expression": "1"}'))
    assert early.is_error and "still starting" in early.content

    statuses = Statuses()
    agg = MCPToolAggregator(
        config(calc=builtin("calculator")), logs_dir=data_dir / "logs", on_status=statuses
    )
    agg.start()
    try:
        await statuses.wait("calc", ServerState.READY)
        host.set(agg)
        assert [s.name for s in host.tool_specs()] == ["calc__calculate"]
        result = await host.call_tool(
            call("calc__calculate", '{"expression": "3*3"}'), conversation_id=2
        )
        assert result.content == "9"
    finally:
        await agg.aclose()
