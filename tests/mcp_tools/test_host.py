"""DeferredToolHost: nothing offered until the MCP side exists, then the real host."""

from __future__ import annotations

from pathlib import Path

from mcp_helpers import builtin, call, config, started_aggregator

from chatdesk.mcp.host import DeferredToolHost


async def test_deferred_until_set(data_dir: Path) -> None:
    host = DeferredToolHost()
    assert host.tool_specs() == () and not host.ready
    early = await host.call_tool(call("calc__calculate", '{"expression": "1"}'))
    assert early.is_error and "still starting" in early.content

    async with started_aggregator(
        config(calc=builtin("calculator")), data_dir, ready=("calc",)
    ) as agg:
        host.set(agg)
        assert [s.name for s in host.tool_specs()] == ["calc__calculate"]
        result = await host.call_tool(
            call("calc__calculate", '{"expression": "3*3"}'), conversation_id=2
        )
        assert result.content == "9"
