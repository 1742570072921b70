"""One configured MCP server kept connected: an owner task holds ``async with Client`` open.

The owner task resolves the server's references, starts it, lists its tools, reports status,
lists them again when the server says they changed, restarts it with exponential backoff when
it dies, and closes it (child process included) when stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TextIO

from mcp import Client, MCPError, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.types import (
    Prompt,
    PromptListChangedNotification,
    Resource,
    ResourceListChangedNotification,
    ResourceTemplate,
    Tool,
    ToolListChangedNotification,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

from chatdesk.mcp.config import (
    RemoteServerConfig,
    Resolver,
    ServerConfig,
    StdioServerConfig,
    builtin_name,
)
from chatdesk.mcp.failures import StartFailure, caused_by, describe_failure, permanent
from chatdesk.mcp.listing import list_prompts, list_resources, list_tools
from chatdesk.mcp.naming import sanitize
from chatdesk.mcp.oauth import SIGN_IN_TIMEOUT_S, SignInFlow, SignInNeeded, SignIns
from chatdesk.mcp.resolve import resolve_server_async
from chatdesk.mcp.servers import UnknownBuiltinError, launch_command
from chatdesk.mcp.shell_path import ShellPath, find_command, merge_paths, not_found_message
from chatdesk.mcp.status import ServerState, ServerStatus
from chatdesk.mcp.tool_schema import usable_tools
from chatdesk.mcp.transports import watched, with_http_client

__all__ = [
    "ServerRunner",
    "ServerState",
    "ServerStatus",
    "Sleep",
    "describe_failure",
    "resolve_command",
]

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

#: A server log past this size is moved to ``<id>.log.1`` when the server starts.
MAX_LOG_BYTES = 1_000_000
#: Starting may take longer than a call (``npx -y`` downloads a package first): a server gets
#: at least this long, or its ``timeout_s`` if that is longer.
MIN_START_TIMEOUT_S = 30.0


def resolve_command(command: str, search_path: str | None = None) -> str:
    """A full path for ``command`` (bare names looked up on ``search_path``, else PATH).

    Raises :class:`StartFailure` with a user-fit hint ("npx not found: install Node.js ...").
    """
    if os.sep in command or (os.altsep and os.altsep in command):
        if not Path(command).exists():
            raise StartFailure(f"{command} not found: check the path")
        return command
    found = shutil.which(command) if search_path is None else find_command(command, search_path)
    if found is None:
        raise StartFailure(not_found_message(command))
    return found


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
        shell_path: ShellPath | None = None,
        builtin_env: Mapping[str, str] | None = None,
        min_start_timeout_s: float = MIN_START_TIMEOUT_S,
        client_options: Callable[[str, ServerConfig], Mapping[str, Any]] | None = None,
        sign_ins: SignIns | None = None,
        interactive_sign_in: bool = False,
    ) -> None:
        """``client_options(server_id, config)`` gives extra ``mcp.Client`` arguments at each
        connection (the sampling and elicitation callbacks). A remote server without an
        ``Authorization`` header signs in with OAuth through ``sign_ins``; the browser is
        opened only with ``interactive_sign_in`` (the user asked)."""
        self.server_id = server_id
        self.config = config
        self.status = ServerStatus(server_id, ServerState.STOPPED)
        self.tools: tuple[Tool, ...] = ()
        #: Tools left out, each with why (a schema no model can take).
        self.skipped: tuple[str, ...] = ()
        self.prompts: tuple[Prompt, ...] = ()
        self.resources: tuple[Resource | ResourceTemplate, ...] = ()
        self.client: Client | None = None
        self.log_file = logs_dir / "mcp" / f"{sanitize(server_id)}.log"
        self._resolver = resolver
        self._on_change = on_change
        self._sleep = sleep
        self._max_restarts = max_restarts
        self._backoff = (backoff_base_s, backoff_max_s, stable_after_s)
        self._shell_path = shell_path
        self._builtin_env = dict(builtin_env or {})
        self._min_start_timeout_s = min_start_timeout_s
        self._client_options = client_options
        self._sign_ins = sign_ins
        self._interactive = interactive_sign_in
        self._settled = asyncio.Event()  # ready, or failed once
        self._stop = asyncio.Event()
        self._stale = asyncio.Event()  # the server said its tools changed
        self._lost_now = asyncio.Event()  # a call found the sign-in gone
        self._sign_in_lost: str | None = None
        self._url: str | None = None
        #: The OAuth flow of the current connection (remote servers that sign in).
        self.sign_in_flow: SignInFlow | None = None
        #: The server asked for a sign-in nobody asked for (set until it is ready again).
        self.needs_sign_in = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the owner task; returns at once."""
        if self._task is None:
            self._set(ServerState.STARTING)
            self._task = asyncio.create_task(self._own(), name=f"mcp-server:{self.server_id}")

    async def stop(self) -> None:
        """Close the connection (and the child process) and wait until it is gone.

        A connected server is closed gracefully; one still starting (or waiting for a slow
        keyring, or for its next retry) is cancelled at once.
        """
        self._stop.set()
        task = self._task
        if task is not None:
            if self.client is None and not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._set(ServerState.STOPPED)

    async def settled(self) -> ServerStatus:
        """Once the server is ready, or has failed (a retry may follow): its status."""
        await self._settled.wait()
        return self.status

    def lost_sign_in(self, reason: str) -> None:
        """A call found the sign-in gone (revoked, refresh refused): say so and disconnect."""
        self._sign_in_lost = reason
        self._lost_now.set()

    async def refresh_tools(self) -> None:
        """List the server's tools again, bypassing any cache (when it is ready)."""
        client = self.client
        if client is not None:
            self._take_tools(await list_tools(client, refresh=True))
            self._set(ServerState.READY, force=True)

    def _take_tools(self, tools: tuple[Tool, ...]) -> None:
        """Keep the tools that can be offered; note the others (see ``tool_schema``)."""
        self.tools, self.skipped = usable_tools(tools)
        for note in self.skipped:
            log.warning("MCP server %r: %s", self.server_id, note)

    def _set(
        self,
        state: ServerState,
        reason: str = "",
        retry_in: float | None = None,
        *,
        force: bool = False,
        sign_in: str | None = None,
    ) -> None:
        count = len(self.tools) if state is ServerState.READY else 0
        if state is ServerState.READY and not reason:
            reason = "; ".join(self.skipped)
        status = ServerStatus(self.server_id, state, reason, count, retry_in, sign_in)
        if state in (ServerState.READY, ServerState.FAILED):
            self._settled.set()
        if force or status != self.status:
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
                if self._sign_in_lost is not None and not self._stop.is_set():
                    self._note(f"--- sign-in lost: {self._sign_in_lost}")
                    self._set(ServerState.FAILED, self._sign_in_lost, sign_in="again")
                    return
                reason = "the server closed the connection"
                if isinstance(self.config, StdioServerConfig):
                    reason = describe_failure(
                        MCPError(-32000, "closed"), self.config, self.log_file
                    )
                retry = True
            except Exception as exc:
                if caused_by(exc, SignInNeeded):
                    again = self._sign_ins is not None and self._signed_in_before()
                    self._note("--- sign-in needed")
                    self._set(ServerState.FAILED, "sign-in needed", sign_in=_again(again))
                    return
                reason = describe_failure(exc, self.config, self.log_file)
                retry = not permanent(exc)
                log.info("MCP server %r failed: %s", self.server_id, reason, exc_info=exc)
            finally:
                self.client = None
                self.tools = ()
                self.prompts = ()
                self.resources = ()
            if self._stop.is_set():
                break
            self._note(f"--- failed: {reason}")
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
        start_timeout = max(self.config.timeout_s, self._min_start_timeout_s)
        if self._interactive:  # the user signs in in the browser meanwhile
            start_timeout = max(start_timeout, SIGN_IN_TIMEOUT_S + 30)
        config = await resolve_server_async(
            self.server_id, self.config, self._resolver, timeout_s=start_timeout
        )
        lost = asyncio.Event()
        self._stale.clear()
        async with AsyncExitStack() as stack:
            transport = await self._transport(config, stack)
            options = self._client_options(self.server_id, config) if self._client_options else {}
            client = Client(
                watched(transport, lost),
                read_timeout_seconds=config.timeout_s,
                message_handler=self._on_message,
                **options,
            )
            try:
                async with asyncio.timeout(start_timeout):
                    await stack.enter_async_context(client)
                    # Subscribe before listing, so that no change between the two is missed.
                    subscription = await self._subscribe(client, stack)
                    tools = await list_tools(client)
                    prompts = await list_prompts(client, self.server_id)
                    resources = await list_resources(client, self.server_id)
            except TimeoutError:
                raise TimeoutError(f"the server did not start within {start_timeout:g} s") from None
            self._take_tools(tools)
            self.client, self.prompts = client, prompts
            self.resources = resources
            self._interactive = False  # signed in: the next connection needs no browser
            self.needs_sign_in = False
            if self.sign_in_flow is not None:  # nor does this one, from now on
                self.sign_in_flow.stop_asking()
            ready_at = loop.time()
            self._set(ServerState.READY)
            self._lost_now.clear()
            helpers = [
                asyncio.ensure_future(self._stop.wait()),
                asyncio.ensure_future(lost.wait()),
                asyncio.ensure_future(self._lost_now.wait()),
                asyncio.ensure_future(self._follow_changes(client)),
            ]
            if subscription is not None:
                helpers.append(asyncio.ensure_future(self._consume(subscription)))
            try:
                await asyncio.wait(helpers[:3], return_when=asyncio.FIRST_COMPLETED)
            finally:
                for helper in helpers:
                    helper.cancel()
                await asyncio.gather(*helpers, return_exceptions=True)
                self.client = None
            return ready_at

    # --- tools list changes ---------------------------------------------------------------

    async def _on_message(self, message: Any) -> None:
        """The client's message handler: a tools or prompts list_changed marks them stale."""
        if isinstance(
            message,
            ToolListChangedNotification
            | PromptListChangedNotification
            | ResourceListChangedNotification,
        ):
            self._stale.set()

    async def _subscribe(self, client: Client, stack: AsyncExitStack) -> Any:
        """On 2026-07-28 connections change notifications need a ``subscriptions/listen``
        stream; older ones send them unasked (see :meth:`_on_message`). None when there is
        none: the tools then stay as listed until a refresh."""
        if not _can_listen(client):
            return None
        try:
            capabilities = client.server_capabilities
            return await stack.enter_async_context(
                client.listen(
                    tools_list_changed=True,
                    prompts_list_changed=capabilities.prompts is not None,
                    resources_list_changed=capabilities.resources is not None,
                )
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # an optional feature
            log.debug("MCP server %r: no tools subscription (%r)", self.server_id, exc)
            return None

    async def _consume(self, subscription: Any) -> None:
        try:
            async for _event in subscription:
                self._stale.set()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.info("MCP server %r: tools subscription lost (%r)", self.server_id, exc)

    async def _follow_changes(self, client: Client) -> None:
        while True:
            await self._stale.wait()
            self._stale.clear()
            try:
                self._take_tools(await list_tools(client, refresh=True))
                self.prompts = await list_prompts(client, self.server_id, refresh=True)
                self.resources = await list_resources(client, self.server_id, refresh=True)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.info("MCP server %r: listing changed tools failed: %r", self.server_id, exc)
                continue
            log.info("MCP server %r: tools changed (%d now)", self.server_id, len(self.tools))
            self._set(ServerState.READY, force=True)

    # --- transports ----------------------------------------------------------------------

    async def _transport(self, config: ServerConfig, stack: AsyncExitStack) -> Any:
        if isinstance(config, StdioServerConfig):
            params = await self._stdio_params(config)
            errlog = stack.enter_context(self._open_log(config))
            return stdio_client(params, errlog=errlog)
        auth = await self._oauth(config, stack)
        if config.type == "sse":
            return sse_client(config.url, headers=dict(config.headers) or None, auth=auth)
        http = create_mcp_http_client(headers=dict(config.headers) or None, auth=auth)
        return with_http_client(http, streamable_http_client(config.url, http_client=http))

    async def _oauth(self, config: RemoteServerConfig, stack: AsyncExitStack) -> Any:
        """The OAuth sign-in for a remote server that brings no credentials of its own."""
        if self._sign_ins is None or any(k.lower() == "authorization" for k in config.headers):
            return None
        self._url = config.url  # resolved: what the sign-in belongs to
        flow = self._sign_ins.flow(self.server_id, config.url, interactive=self._interactive)
        self.sign_in_flow = flow
        flow.on_needed = self._sign_in_needed
        stack.push_async_callback(flow.aclose)
        return await flow.provider()

    def _sign_in_needed(self) -> None:
        self.needs_sign_in = True

    def _signed_in_before(self) -> bool:
        if self._sign_ins is None or self._url is None:
            return False
        return self._sign_ins.store(self.server_id, self._url).signed_in

    async def _stdio_params(self, config: StdioServerConfig) -> StdioServerParameters:
        env = dict(config.env)
        name = builtin_name(config)
        if name is not None:
            try:
                command, args = launch_command(name, config.args[2:])
            except UnknownBuiltinError as exc:
                raise StartFailure(str(exc)) from None
            env = {**self._builtin_env, **env}
            return StdioServerParameters(
                command=command, args=args, env=env or None, cwd=config.cwd
            )
        search_path: str | None = None
        if self._shell_path is not None:
            search_path = await self._shell_path.search_path()
            # A script such as npx starts with "#!/usr/bin/env node": node must be on the
            # child's PATH too, not only npx.
            env.setdefault("PATH", merge_paths(env.get("PATH"), search_path))
        return StdioServerParameters(
            command=resolve_command(config.command, search_path),
            args=list(config.args),
            env=env or None,
            cwd=config.cwd,
        )

    def _open_log(self, config: StdioServerConfig) -> TextIO:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            if self.log_file.stat().st_size > MAX_LOG_BYTES:
                os.replace(self.log_file, self.log_file.with_name(self.log_file.name + ".1"))
        handle = self.log_file.open("a", encoding="utf-8")
        handle.write(f"--- starting {config.command} {' '.join(config.args)}\n")
        handle.flush()
        return handle

    def _note(self, line: str) -> None:
        """Add one of our own lines to the server's log (failures of remote servers too)."""
        with contextlib.suppress(OSError):
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            with self.log_file.open("a", encoding="utf-8") as handle:
                handle.write(line.replace("\n", " ") + "\n")


def _again(again: bool) -> str:
    return "again" if again else "needed"


def _can_listen(client: Client) -> bool:
    try:
        tools = client.server_capabilities.tools
        return client.protocol_version in MODERN_PROTOCOL_VERSIONS and bool(
            tools and tools.list_changed
        )
    except Exception:
        return False
