"""MCPToolAggregator: the core's ToolHost over every configured MCP server.

One long-lived client per enabled server (see :mod:`chatdesk.mcp.runner`); tools are offered
to the model as ``<server_id>__<tool>`` (see :mod:`chatdesk.mcp.naming`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from mcp import MCPError
from mcp.types import (
    REQUEST_TIMEOUT,
    AudioContent,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

from chatdesk.core.models import ToolCall, ToolSpec
from chatdesk.core.ports import ToolResult
from chatdesk.core.tool_approval import Approval
from chatdesk.errors import ChatdeskError
from chatdesk.mcp.arguments import ToolArgumentsError, parsed_or_error
from chatdesk.mcp.config import (
    MCPConfig,
    RemoteServerConfig,
    Resolver,
    ServerConfig,
    env_resolver,
)
from chatdesk.mcp.failures import caused_by
from chatdesk.mcp.in_flight import InFlightCalls
from chatdesk.mcp.naming import ToolNameMap, sanitize
from chatdesk.mcp.oauth import SignInNeeded, SignIns
from chatdesk.mcp.prompts import PromptError, ServerPrompt, prompt_text, server_prompts
from chatdesk.mcp.resources import (
    ResourceError,
    ResourceFile,
    ServerResource,
    resource_files,
    server_resources,
)
from chatdesk.mcp.runner import MIN_START_TIMEOUT_S, ServerRunner, Sleep
from chatdesk.mcp.shell_path import ShellPath
from chatdesk.mcp.status import ServerState, ServerStatus, ToolInfo

__all__ = ["MCPToolAggregator", "ServerState", "ServerStatus", "ToolInfo", "format_result"]

log = logging.getLogger(__name__)
T = TypeVar("T")

StatusCallback = Callable[[ServerStatus], None]

DEFAULT_MAX_RESULT_CHARS = 100_000
#: The SDK's own read timeout is not used for tool calls: ``InFlightCalls`` keeps the deadline
#: (which a card waiting for the user holds).
NO_READ_TIMEOUT_S = 7 * 24 * 3600.0


class ServerRequests(Protocol):
    """What answers the requests servers send us (sampling, elicitation)."""

    def client_callbacks(self, server_id: str, config: ServerConfig) -> dict[str, Any]:
        """Keyword arguments for the server's ``mcp.Client`` (its callbacks; none: the
        capability is not declared)."""
        ...


def format_result(result: CallToolResult, max_chars: int = DEFAULT_MAX_RESULT_CHARS) -> str:
    """The result as text for the model; non-text parts described, long text cut."""
    parts: list[str] = []
    for item in result.content:
        if isinstance(item, TextContent):
            parts.append(item.text)
        elif isinstance(item, ImageContent):
            parts.append(f"[image: {item.mime_type}]")
        elif isinstance(item, AudioContent):
            parts.append(f"[audio: {item.mime_type}]")
        elif isinstance(item, ResourceLink):
            parts.append(f"[resource: {item.uri}]")
        elif isinstance(item, EmbeddedResource):
            res = item.resource
            if isinstance(res, TextResourceContents):
                parts.append(res.text)
            else:
                parts.append(f"[resource: {res.uri} ({res.mime_type or 'binary'})]")
    if not parts and result.structured_content is not None:
        parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    text = "\n".join(parts)
    if len(text) > max_chars:
        text = f"{text[:max_chars]}\n[… truncated {len(text) - max_chars} characters]"
    return text


class MCPToolAggregator:
    """Implements ``ToolHost``; :meth:`start` returns at once, servers come up in the background."""

    def __init__(
        self,
        config: MCPConfig,
        *,
        logs_dir: Path,
        resolver: Resolver = env_resolver,
        on_status: StatusCallback | None = None,
        sleep: Sleep = asyncio.sleep,
        max_restarts: int = 5,
        backoff_base_s: float = 1.0,
        max_result_chars: int = DEFAULT_MAX_RESULT_CHARS,
        shell_path: ShellPath | None = None,
        builtin_env: Mapping[str, str] | None = None,
        min_start_timeout_s: float = MIN_START_TIMEOUT_S,
        server_requests: ServerRequests | None = None,
        sign_ins: SignIns | None = None,
    ) -> None:
        """``shell_path`` finds bare commands on the login shell's PATH (default: the app's
        PATH only); ``builtin_env`` is given to built-in servers (e.g. CHATDESK_DATA_DIR)."""
        self._config = config
        self._logs_dir = logs_dir
        self._resolver = resolver
        self._on_status = on_status
        self._sleep = sleep
        self._max_restarts = max_restarts
        self._backoff_base_s = backoff_base_s
        self._max_result_chars = max_result_chars
        self._shell_path = shell_path
        self._builtin_env = dict(builtin_env or {})
        self._min_start_timeout_s = min_start_timeout_s
        self._runners: dict[str, ServerRunner] = {}
        #: Tool calls running now, by server (see :mod:`chatdesk.mcp.in_flight`).
        self.in_flight = InFlightCalls()
        #: What a server's sampling and elicitation requests go to (set by the app).
        self.server_requests: ServerRequests | None = server_requests
        #: OAuth sign-ins of remote servers (None: they are not signed in to).
        self.sign_ins = sign_ins
        self._names = ToolNameMap()
        self._specs: tuple[ToolSpec, ...] = ()
        self._started = False

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start every enabled server in the background."""
        self._started = True
        for server_id, server in self._config.servers.items():
            self._start(server_id, server)

    def _start(self, server_id: str, server: ServerConfig, *, sign_in: bool = False) -> None:
        if not server.enabled:
            self._emit(ServerStatus(server_id, ServerState.STOPPED, "disabled"))
            return
        runner = ServerRunner(
            server_id,
            server,
            resolver=self._resolver,
            logs_dir=self._logs_dir,
            on_change=self._runner_changed,
            sleep=self._sleep,
            max_restarts=self._max_restarts,
            backoff_base_s=self._backoff_base_s,
            shell_path=self._shell_path,
            builtin_env=self._builtin_env,
            min_start_timeout_s=self._min_start_timeout_s,
            client_options=self._client_options,
            sign_ins=self.sign_ins,
            interactive_sign_in=sign_in,
        )
        self._runners[server_id] = runner
        runner.start()

    def _client_options(self, server_id: str, config: ServerConfig) -> dict[str, Any]:
        requests = self.server_requests
        return {} if requests is None else requests.client_callbacks(server_id, config)

    async def _stop(self, server_id: str) -> None:
        runner = self._runners.pop(server_id, None)
        if runner is not None:
            await runner.stop()
            self._rebuild_names()

    async def apply_config(self, config: MCPConfig) -> None:
        """Apply a new config live: start added, stop removed, restart changed servers."""
        old = self._config.servers
        self._config = config
        if not self._started:
            return
        gone = [sid for sid in old if sid not in config.servers or old[sid] != config.servers[sid]]
        await asyncio.gather(*(self._stop(sid) for sid in gone))
        for sid in gone:
            if sid not in config.servers:
                self._emit(ServerStatus(sid, ServerState.STOPPED, "removed"))
        for sid, server in config.servers.items():
            if sid not in old or sid in gone:
                self._start(sid, server)

    async def restart(self, server_id: str) -> None:
        """Stop and start one server (e.g. after it failed for good)."""
        server = self._config.servers.get(server_id)
        await self._stop(server_id)
        if server is not None:
            self._start(server_id, server)

    async def sign_in(self, server_id: str) -> ServerStatus:
        """Connect ``server_id`` again, signing in in the browser if it asks; returns how it
        ended (ready, or failed with the reason)."""
        server = self._config.servers.get(server_id)
        if server is None:
            raise KeyError(server_id)
        await self._stop(server_id)
        self._start(server_id, server, sign_in=True)
        runner = self._runners.get(server_id)
        if runner is None:  # disabled
            return self.statuses()[server_id]
        return await runner.settled()

    async def sign_out(self, server_id: str) -> None:
        """Forget a server's sign-in and connect again (it will ask to sign in)."""
        server = self._config.servers.get(server_id)
        if self.sign_ins is not None and isinstance(server, RemoteServerConfig):
            await self._stop(server_id)
            runner_url = server.url
            await self.sign_ins.sign_out(server_id, runner_url)
            self._start(server_id, server)

    async def refresh(self, server_id: str | None = None) -> None:
        """List the tools of one ready server, or of all, again."""
        runners = [self._runners[server_id]] if server_id else list(self._runners.values())
        await asyncio.gather(*(r.refresh_tools() for r in runners if r.client is not None))

    async def aclose(self) -> None:
        """Stop every server and wait until their processes are gone."""
        await asyncio.gather(*(self._stop(sid) for sid in list(self._runners)))

    # --- status ----------------------------------------------------------------------------

    @property
    def config(self) -> MCPConfig:
        """The configuration being run."""
        return self._config

    def log_file(self, server_id: str) -> Path:
        """Where a server's stderr (and our notes on its failures) go: logs/mcp/<id>.log."""
        return self._logs_dir / "mcp" / f"{sanitize(server_id)}.log"

    def statuses(self) -> dict[str, ServerStatus]:
        """The status of every configured server."""
        result = {}
        for server_id, server in self._config.servers.items():
            runner = self._runners.get(server_id)
            if runner is not None:
                result[server_id] = runner.status
            else:
                reason = "disabled" if not server.enabled else ""
                result[server_id] = ServerStatus(server_id, ServerState.STOPPED, reason)
        return result

    def client_of(self, server_id: str) -> object | None:
        """The live client object of a ready server (identity only; for diagnostics and tests)."""
        runner = self._runners.get(server_id)
        return runner.client if runner is not None else None

    def _runner_changed(self, runner: ServerRunner) -> None:
        self._rebuild_names()
        self._emit(runner.status)

    def _emit(self, status: ServerStatus) -> None:
        if self._on_status is not None:
            try:
                self._on_status(status)
            except Exception:
                log.exception("MCP status callback failed")

    # --- tools -----------------------------------------------------------------------------

    def _rebuild_names(self) -> None:
        pairs = [(sid, t.name) for sid, r in self._runners.items() for t in r.tools]
        self._names = ToolNameMap(pairs)
        specs = []
        for sid, runner in self._runners.items():
            for tool in runner.tools:
                specs.append(
                    ToolSpec(
                        name=self._names.exposed(sid, tool.name),
                        description=tool.description or tool.title or tool.name,
                        parameters=tool.input_schema,
                    )
                )
        self._specs = tuple(specs)

    def tool_specs(self) -> Sequence[ToolSpec]:
        """The tools of every ready server, by exposed name."""
        return self._specs

    def tool_info(self, exposed_name: str) -> ToolInfo | None:
        """Server, original name and read-only hint of an exposed tool."""
        target = self._names.resolve(exposed_name)
        runner = self._runners.get(target[0]) if target else None
        if target is None or runner is None:
            return None
        for tool in runner.tools:
            if tool.name == target[1]:
                hints = tool.annotations
                read_only = bool(hints and hints.read_only_hint)
                destructive = not read_only and not (hints and hints.destructive_hint is False)
                return ToolInfo(
                    target[0],
                    target[1],
                    read_only,
                    destructive=destructive,
                    idempotent=bool(hints and hints.idempotent_hint),
                    open_world=not (hints and hints.open_world_hint is False),
                    title=(hints.title if hints and hints.title else None) or tool.title or "",
                    description=tool.description or "",
                )
        return None

    def prompts(self) -> list[ServerPrompt]:
        """Every ready server's prompts, by server then name."""
        out: list[ServerPrompt] = []
        for server_id, runner in self._runners.items():
            if runner.client is not None:
                out += sorted(server_prompts(server_id, runner.prompts), key=lambda p: p.name)
        return out

    async def _ask_server(
        self,
        server_id: str,
        error: type[ChatdeskError],
        failed: str,
        ask: Callable[[Any], Awaitable[T]],
    ) -> T:
        """``ask(client)`` on a ready server within its timeout; failures raise ``error``
        ("<failed>: <reason>")."""
        runner = self._runners.get(server_id)
        client = runner.client if runner is not None else None
        if runner is None or client is None:
            raise error(f"The MCP server {server_id!r} is not ready; try again later.")
        try:
            async with asyncio.timeout(runner.config.timeout_s + 1):
                return await ask(client)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            reason = exc.error.message if isinstance(exc, MCPError) else f"{exc!r}"
            raise error(f"{failed}: {reason}", detail=repr(exc)) from exc

    async def get_prompt(self, server_id: str, name: str, arguments: Mapping[str, str]) -> str:
        """The text of a prompt filled in with ``arguments``; raises ``PromptError``."""
        result = await self._ask_server(
            server_id,
            PromptError,
            f"The prompt {name!r} of {server_id!r} failed",
            lambda client: client.get_prompt(name, dict(arguments)),
        )
        return prompt_text(result.messages)

    def resources(self) -> list[ServerResource]:
        """Every ready server's resources and resource templates."""
        out: list[ServerResource] = []
        for server_id, runner in self._runners.items():
            if runner.client is not None:
                out += server_resources(server_id, runner.resources)
        return out

    async def read_resource(self, resource: ServerResource, uri: str) -> list[ResourceFile]:
        """The contents of ``uri`` (a resource, or a filled-in template) as files; raises
        ``ResourceError``."""
        server_id = resource.server_id
        result = await self._ask_server(
            server_id,
            ResourceError,
            f"Could not read {uri} from {server_id!r}",
            lambda client: client.read_resource(uri),
        )
        files = resource_files(resource, uri, result.contents)
        if not files:
            raise ResourceError(f"{uri} from {server_id!r} is empty.")
        return files

    def approval_of(self, server_id: str) -> Approval:
        """The server's approval policy (``ask`` when it is unknown)."""
        server = self._config.servers.get(server_id)
        return server.approval if server is not None else "ask"

    async def call_tool(self, call: ToolCall, *, conversation_id: int | None = None) -> ToolResult:
        """Run one call on its server; every failure comes back as ``is_error``.

        ``conversation_id`` is accepted for the ToolHost port and not used here (approvals
        are :class:`chatdesk.mcp.approvals.ApprovingToolHost`'s business)."""
        return await self.run_tool(
            call, parsed_or_error(call.arguments), conversation_id=conversation_id
        )

    async def run_tool(
        self,
        call: ToolCall,
        arguments: Mapping[str, Any] | ToolArgumentsError,
        *,
        conversation_id: int | None = None,
    ) -> ToolResult:
        """Run ``call`` with its arguments already parsed (see :mod:`chatdesk.mcp.arguments`;
        an error there comes back as the result, once the tool is known to be ready).

        The call is registered in :attr:`in_flight` for ``conversation_id``: a sampling or
        elicitation request the server makes meanwhile goes to that conversation, and the
        time its card waits for the user does not count against the call's timeout."""
        target = self._names.resolve(call.name)
        if target is None:
            return ToolResult(f"No tool named {call.name!r} is available.", is_error=True)
        server_id, tool_name = target
        runner = self._runners.get(server_id)
        client = runner.client if runner is not None else None
        if runner is None or client is None:
            return ToolResult(
                f"The MCP server {server_id!r} is not ready; try again later.",
                is_error=True,
                server_id=server_id,
            )
        if isinstance(arguments, ToolArgumentsError):
            return ToolResult(str(arguments), is_error=True, server_id=server_id)
        timeout = runner.config.timeout_s
        started = time.monotonic()
        try:
            async with self.in_flight.call(server_id, conversation_id, timeout) as handle:
                result = await client.call_tool(
                    tool_name, dict(arguments), read_timeout_seconds=NO_READ_TIMEOUT_S
                )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if caused_by(exc, SignInNeeded) or runner.needs_sign_in:
                runner.lost_sign_in("the sign-in expired or was revoked")
                text = (
                    f"The MCP server {server_id!r} needs you to sign in again "
                    "(Tools › MCP Servers…, Sign in)."
                )
                return ToolResult(text, is_error=True, server_id=server_id)
            text = _call_failure(exc, tool_name, timeout)
            log.info("MCP tool %s on %r failed: %s", tool_name, server_id, text, exc_info=exc)
            return ToolResult(text, is_error=True, server_id=server_id)
        text = format_result(result, self._max_result_chars)
        # The time the server's cards waited for the user is left out, as approvals are.
        duration = time.monotonic() - started - handle.held_s
        return ToolResult(
            text, is_error=bool(result.is_error), server_id=server_id, duration_s=duration
        )


def _call_failure(exc: Exception, tool_name: str, timeout: float) -> str:
    if isinstance(exc, TimeoutError) or (
        isinstance(exc, MCPError) and exc.error.code == REQUEST_TIMEOUT
    ):
        return f"The tool {tool_name!r} did not answer within {timeout:g} s."
    if isinstance(exc, MCPError):
        return f"The tool {tool_name!r} failed: {exc.error.message}"
    return f"The tool {tool_name!r} failed: {type(exc).__name__}: {exc}"
