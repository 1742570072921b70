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


#: ``@modelcontextprotocol/server-everything`` from npm, installed by ``make test``.
EVERYTHING = Path(__file__).parents[2] / ".cache" / "mcp-servers" / "node_modules" / ".bin"
EVERYTHING_BIN = EVERYTHING / "mcp-server-everything"


def use_everything(data_dir: Path, **options: object) -> None:
    """Configure server-everything (stdio) as the only MCP server; skips without it."""
    import pytest

    if not EVERYTHING_BIN.exists():
        pytest.skip("server-everything is not installed (make mcp-servers)")
    server = {"command": str(EVERYTHING_BIN), "args": ["stdio"], **options}
    (data_dir / "mcp_servers.json").write_text(json.dumps({"mcpServers": {"everything": server}}))
