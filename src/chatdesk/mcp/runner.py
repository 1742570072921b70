"""One configured MCP server kept connected: an owner task holds ``async with Client`` open.

The owner task starts the server, lists its tools, reports status, restarts it with
exponential backoff when it dies, and closes it (child process included) when stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx2
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.types import Tool

from chatdesk.mcp.config import (
    MCPConfigError,
    RemoteServerConfig,
    Resolver,
    ServerConfig,
    StdioServerConfig,
    resolve_server,
)
from chatdesk.mcp.naming import sanitize

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

#: Hints for commands people commonly name without having them installed.
_INSTALL_HINTS = {
    "npx": "install Node.js",
    "node": "install Node.js",
    "npm": "install Node.js",
    "uvx": "install uv",
    "uv": "install uv",
    "docker": "install Docker",
    "deno": "install Deno",
    "bunx": "install Bun",
}


class ServerState(enum.StrEnum):
    """Lifecycle of one server."""

    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class ServerStatus:
    """What the UI shows for a server; ``retry_in`` is set while a restart is pending."""

    server_id: str
    state: ServerState
    reason: str = ""
    tool_count: int = 0
    retry_in: float | None = None


class _StartFailure(Exception):
    """A failure retrying cannot fix (missing command, unresolved reference)."""


class _WatchedRead:
    """A transport read stream that sets ``lost`` when the server side ends."""

    def __init__(self, inner: Any, lost: asyncio.Event) -> None:
        self._inner = inner
        self._lost = lost

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def receive(self) -> Any:
        try:
            return await self._inner.receive()
        except BaseException:
            self._lost.set()
            raise

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> _WatchedRead:
        return self

    async def __anext__(self) -> Any:
        try:
            return await self._inner.__anext__()
        except BaseException:
            self._lost.set()
            raise

    async def __aenter__(self) -> _WatchedRead:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> bool | None:
        self._lost.set()
        result: bool | None = await self._inner.__aexit__(*exc)
        return result


@asynccontextmanager
async def _watched(transport: Any, lost: asyncio.Event) -> AsyncIterator[Any]:
    async with transport as (read, write):
        yield _WatchedRead(read, lost), write


def resolve_command(command: str) -> str:
    """A full path for ``command``; raises :class:`_StartFailure` with a user-fit hint."""
    # TODO: look up bare commands on the login shell's PATH too (a GUI app started from the
    # desktop often lacks ~/.local/bin, nvm's and Homebrew's directories).
    if os.sep in command or (os.altsep and os.altsep in command):
        if not Path(command).exists():
            raise _StartFailure(f"{command} not found: check the path")
        return command
    found = shutil.which(command)
    if found is None:
        hint = _INSTALL_HINTS.get(command.lower(), f"install {command}")
        raise _StartFailure(f"{command} not found: {hint} or give a full path")
    return found


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, kind) or any(isinstance(x, kind) for x in _leaves(seen)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _last_line(path: Path | None) -> str:
    if path is None or not path.exists():
        return ""
    with contextlib.suppress(OSError):
        for line in reversed(path.read_text(encoding="utf-8", errors="replace").splitlines()):
            if line.strip() and not line.startswith("--- "):
                return line.strip()[:300]
    return ""


def describe_failure(exc: BaseException, server: ServerConfig, log_file: Path | None) -> str:
    """A short reason for a failed start or a lost connection, fit to show the user."""
    leaves = _leaves(exc)
    for leaf in leaves:
        if isinstance(leaf, (_StartFailure, MCPConfigError)):
            return str(leaf)
        if isinstance(leaf, FileNotFoundError) and isinstance(server, StdioServerConfig):
            return f"{server.command} not found: install it or give a full path"
        if isinstance(leaf, PermissionError) and isinstance(server, StdioServerConfig):
            return f"{server.command} cannot be run: permission denied"
        if isinstance(leaf, httpx2.ConnectError):
            url = server.url if isinstance(server, RemoteServerConfig) else "the server"
            refused = _caused_by(leaf, ConnectionRefusedError) or "refused" in str(leaf).lower()
            return f"cannot connect to {url}: " + ("connection refused" if refused else str(leaf))
        if isinstance(leaf, httpx2.HTTPStatusError):
            status = leaf.response.status_code
            hint = ": check the headers (API key)" if status in (401, 403) else ""
            return f"the server answered HTTP {status}{hint}"
        if isinstance(leaf, TimeoutError):
            return f"the server did not answer within {server.timeout_s:g} s"
    if isinstance(server, StdioServerConfig) and any(isinstance(x, MCPError) for x in leaves):
        last = _last_line(log_file)
        return (
            "the server exited"
            + (f": {last}" if last else "")
            + (f" (log: {log_file})" if log_file else "")
        )
    if any(isinstance(x, MCPError) for x in leaves):
        return "the server closed the connection"
    first = leaves[0]
    return f"{type(first).__name__}: {first}" if str(first) else type(first).__name__


class ServerRunner:
    """Keeps one server connected until :meth:`stop`; see the module docstring."""

    def __init__(
        self,
        server_id: str,
        config: ServerConfig,
        *,
        resolver: Resolver,
        logs_dir: Path,
        on_change: Callable[[ServerRunner], None],
        sleep: Sleep = asyncio.sleep,
        max_restarts: int = 5,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 60.0,
        stable_after_s: float = 60.0,
    ) -> None:
        self.server_id = server_id
        self.config = config
        self.status = ServerStatus(server_id, ServerState.STOPPED)
        self.tools: tuple[Tool, ...] = ()
        self.client: Client | None = None
        self._resolver = resolver
        self._log_file = logs_dir / "mcp" / f"{sanitize(server_id)}.log"
        self._on_change = on_change
        self._sleep = sleep
        self._max_restarts = max_restarts
        self._backoff = (backoff_base_s, backoff_max_s, stable_after_s)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the owner task; returns at once."""
        if self._task is None:
            self._set(ServerState.STARTING)
            self._task = asyncio.create_task(self._own(), name=f"mcp-server:{self.server_id}")

    async def stop(self) -> None:
        """Close the connection (and the child process) and wait until it is gone."""
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._set(ServerState.STOPPED)

    async def refresh_tools(self) -> None:
        """List the server's tools again (when it is ready)."""
        if self.client is not None:
            self.tools = await _list_tools(self.client)
            self._set(ServerState.READY)

    def _set(self, state: ServerState, reason: str = "", retry_in: float | None = None) -> None:
        count = len(self.tools) if state is ServerState.READY else 0
        status = ServerStatus(self.server_id, state, reason, count, retry_in)
        if status != self.status:
            self.status = status
            self._on_change(self)

    async def _own(self) -> None:
        base, cap, stable_after = self._backoff
        failures = 0
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            self._set(ServerState.STARTING)
            ready_at: float | None = None
            try:
                ready_at = await self._connect_once(loop)
                reason = "the server closed the connection"
                if isinstance(self.config, StdioServerConfig):
                    reason = describe_failure(
                        MCPError(-32000, "closed"), self.config, self._log_file
                    )
                retry = True
            except Exception as exc:
                reason = describe_failure(exc, self.config, self._log_file)
                retry = not any(
                    isinstance(leaf, (_StartFailure, MCPConfigError, FileNotFoundError))
                    for leaf in _leaves(exc)
                )
                log.info("MCP server %r failed: %s", self.server_id, reason, exc_info=exc)
            finally:
                self.client = None
                self.tools = ()
            if self._stop.is_set():
                break
            if ready_at is not None and loop.time() - ready_at >= stable_after:
                failures = 0
            failures += 1
            if not retry or failures > self._max_restarts:
                self._set(ServerState.FAILED, reason)
                return
            delay = min(cap, base * 2 ** (failures - 1))
            self._set(ServerState.FAILED, reason, retry_in=delay)
            await self._sleep_or_stop(delay)

    async def _sleep_or_stop(self, delay: float) -> None:
        sleeper = asyncio.ensure_future(self._sleep(delay))
        stopper = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for fut in (sleeper, stopper):
                fut.cancel()
            await asyncio.gather(sleeper, stopper, return_exceptions=True)

    async def _connect_once(self, loop: asyncio.AbstractEventLoop) -> float:
        """Connect, list tools, report ready, hold until stopped or lost; returns ready time."""
        config = resolve_server(self.server_id, self.config, self._resolver)
        lost = asyncio.Event()
        async with AsyncExitStack() as stack:
            transport = self._transport(config, stack)
            client = Client(_watched(transport, lost), read_timeout_seconds=config.timeout_s)
            async with asyncio.timeout(config.timeout_s):
                await stack.enter_async_context(client)
                tools = await _list_tools(client)
            self.client, self.tools = client, tools
            ready_at = loop.time()
            self._set(ServerState.READY)
            stopper = asyncio.ensure_future(self._stop.wait())
            watcher = asyncio.ensure_future(lost.wait())
            try:
                await asyncio.wait({stopper, watcher}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopper.cancel()
                watcher.cancel()
                await asyncio.gather(stopper, watcher, return_exceptions=True)
                self.client = None
            return ready_at

    def _transport(self, config: ServerConfig, stack: AsyncExitStack) -> Any:
        if isinstance(config, StdioServerConfig):
            params = StdioServerParameters(
                command=resolve_command(config.command),
                args=list(config.args),
                env=dict(config.env) or None,
                cwd=config.cwd,
            )
            errlog = stack.enter_context(self._open_log(config))
            return stdio_client(params, errlog=errlog)
        if config.type == "sse":
            return sse_client(config.url, headers=dict(config.headers) or None)
        http = create_mcp_http_client(headers=dict(config.headers) or None)
        return _with_http_client(http, streamable_http_client(config.url, http_client=http))

    def _open_log(self, config: StdioServerConfig) -> TextIO:
        self._log_file.parent.mkdir(parents=True, exist_ok=True)
        handle = self._log_file.open("a", encoding="utf-8")
        handle.write(f"--- starting {config.command} {' '.join(config.args)}\n")
        handle.flush()
        return handle


@asynccontextmanager
async def _with_http_client(http: httpx2.AsyncClient, transport: Any) -> AsyncIterator[Any]:
    async with http, transport as streams:
        yield streams


async def _list_tools(client: Client) -> tuple[Tool, ...]:
    tools: list[Tool] = []
    cursor: str | None = None
    for _ in range(100):
        page = await client.list_tools(cursor=cursor)
        tools.extend(page.tools)
        cursor = page.next_cursor
        if cursor is None:
            break
    return tuple(tools)
