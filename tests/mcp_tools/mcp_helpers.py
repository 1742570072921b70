"""Shared helpers for the MCP tests: configs for real servers, a status waiter, aggregators."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

from chatdesk.core.models import ToolCall
from chatdesk.mcp.aggregator import MCPToolAggregator
from chatdesk.mcp.config import MCPConfig, parse_config
from chatdesk.mcp.runner import ServerState, ServerStatus

TOY = str(Path(__file__).with_name("toy_server.py"))


def toy(name: str, **extra: Any) -> dict[str, Any]:
    """A stdio entry for the toy server."""
    return {"command": sys.executable, "args": [TOY, name], **extra}


def builtin(module: str, **extra: Any) -> dict[str, Any]:
    """A stdio entry for a built-in server."""
    return {"command": sys.executable, "args": ["-m", f"chatdesk.mcp.servers.{module}"], **extra}


def config(**servers: dict[str, Any]) -> MCPConfig:
    return parse_config({"mcpServers": servers})


def call(name: str, arguments: str = "{}") -> ToolCall:
    return ToolCall(id="c1", name=name, arguments=arguments)


class Statuses:
    """A status callback that lets a test await a state."""

    def __init__(self) -> None:
        self.history: list[ServerStatus] = []
        self.latest: dict[str, ServerStatus] = {}
        self._changed = asyncio.Event()

    def __call__(self, status: ServerStatus) -> None:
        self.history.append(status)
        self.latest[status.server_id] = status
        self._changed.set()

    async def wait(
        self, server_id: str, state: ServerState, *, final: bool = True, limit_s: float = 30
    ) -> ServerStatus:
        """The first status of ``server_id`` in ``state`` (with no retry pending if ``final``)."""
        async with asyncio.timeout(limit_s):
            while True:
                status = self.latest.get(server_id)
                if status and status.state is state and not (final and status.retry_in):
                    return status
                self._changed.clear()
                await self._changed.wait()


def new_aggregator(
    cfg: MCPConfig, data_dir: Path, statuses: Statuses | None = None, **kwargs: Any
) -> MCPToolAggregator:
    """An aggregator (not started) logging under ``data_dir/logs``, reporting to ``statuses``."""
    return MCPToolAggregator(
        cfg, logs_dir=data_dir / "logs", on_status=statuses or Statuses(), **kwargs
    )


@contextlib.asynccontextmanager
async def started_aggregator(
    cfg: MCPConfig,
    data_dir: Path,
    statuses: Statuses | None = None,
    *,
    ready: Iterable[str] = (),
    **kwargs: Any,
) -> AsyncIterator[MCPToolAggregator]:
    """:func:`new_aggregator`, started, with the ``ready`` servers up; closed at the end."""
    statuses = statuses or Statuses()
    agg = new_aggregator(cfg, data_dir, statuses, **kwargs)
    agg.start()
    try:
        for server_id in ready:
            await statuses.wait(server_id, ServerState.READY)
        yield agg
    finally:
        await agg.aclose()


async def until_accepting(proc: asyncio.subprocess.Process, port: int) -> None:
    """Until the server ``proc`` started accepts connections on ``port`` (30 s at most)."""
    async with asyncio.timeout(30):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                assert proc.returncode is None, "the server exited"
                await asyncio.sleep(0.05)  # polling the port, not waiting for an event
                continue
            writer.close()
            await writer.wait_closed()
            return


OAUTH_SERVER = str(Path(__file__).with_name("oauth_server.py"))


@contextlib.asynccontextmanager
async def oauth_server(port: int, token_seconds: int = 3600) -> AsyncIterator[str]:
    """The OAuth-protected toy server (its own authorization server) on 127.0.0.1; yields its
    base URL once the port accepts."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        OAUTH_SERVER,
        str(port),
        str(token_seconds),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await until_accepting(proc, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        await proc.wait()


#: mcp-server-time, -fetch and -git from PyPI, in a venv of their own (``make mcp-servers``).
PYPI_SERVERS = Path(__file__).parents[2] / ".cache" / "mcp-servers" / "py" / "bin"


def pypi_server(name: str) -> str:
    """The command of a PyPI MCP server; skips without it."""
    import pytest

    command = PYPI_SERVERS / name
    if not command.exists():
        pytest.skip(f"{name} is not installed (make mcp-servers)")
    return str(command)
