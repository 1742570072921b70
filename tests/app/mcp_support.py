"""Shared by the app's MCP tests: a test server in the data dir, and waiting until what it
offers is listed."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from chatdesk.app.root import ChatdeskApp

TOY = str(Path(__file__).parents[1] / "mcp_tools" / "toy_server.py")


def use_toy_server(data_dir: Path, name: str = "t") -> None:
    """Configure the toy server (tools, prompts, resources) as the only MCP server."""
    servers = {"toy": {"command": sys.executable, "args": [TOY, name]}}
    (data_dir / "mcp_servers.json").write_text(json.dumps({"mcpServers": servers}))


async def until_offered(app: ChatdeskApp, offered: Callable[[], Sequence[object]]) -> None:
    """Until ``offered()`` (the servers' prompts, resources…) is not empty."""
    assert app.mcp is not None
    changed = asyncio.Event()
    app.mcp.add_status_listener(lambda _status: changed.set())
    async with asyncio.timeout(30):
        while not offered():
            changed.clear()
            await changed.wait()
