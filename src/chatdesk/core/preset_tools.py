"""The MCP side of a preset: which servers' tools are offered, and its approval overrides.

Servers keep running when presets switch (no restarts, the servers file is never rewritten):
``PresetToolHost`` wraps the app's ToolHost and offers only the tools of the active preset's
servers; ``tool_overrides`` turns a preset's approvals (by server or by tool) into the per-tool
map the approval policy takes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from chatdesk.core.models import ToolCall, ToolSpec
from chatdesk.core.ports import ToolHost, ToolResult

if TYPE_CHECKING:  # the presets module loads after the first paint (see chatdesk.app)
    from chatdesk.core.presets import Preset


class ServerPlan(NamedTuple):
    """Which configured MCP servers a preset enables, its server-level approval overrides, and
    the ids it names that are not configured."""

    enabled: frozenset[str]
    approvals: dict[str, str]
    missing: tuple[str, ...]


def server_plan(preset: Preset | None, configured: Iterable[str]) -> ServerPlan:
    """The MCP servers to offer for ``preset`` (None: every configured server, no overrides)."""
    ids = list(configured)
    if preset is None:
        return ServerPlan(frozenset(ids), {}, ())
    enabled = frozenset(s for s in ids if s in preset.mcp_servers)
    approvals = {s: p for s, p in preset.tool_approvals.items() if s in enabled}
    missing = tuple(sorted(preset.mcp_servers - set(ids)))
    return ServerPlan(enabled, approvals, missing)


def tool_overrides(preset: Preset | None, tools: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Exposed tool name -> policy for the preset's overrides, given ``(exposed name, server
    id)`` of every tool there is. A tool's own entry wins over its server's."""
    if preset is None or not preset.tool_approvals:
        return {}
    result: dict[str, str] = {}
    for exposed, server_id in tools:
        policy = preset.tool_approvals.get(exposed) or preset.tool_approvals.get(server_id)
        if policy is not None and server_id in preset.mcp_servers:
            result[exposed] = policy
    return result


def server_of_name(exposed: str, servers: Iterable[str]) -> str | None:
    """The server of an exposed tool name ``<server>__<tool>`` (None when it is not one's)."""
    from chatdesk.core.presets import approval_server

    found = approval_server(exposed, servers)
    return found if found != exposed else None


class PresetToolHost:
    """A ToolHost that offers only the tools of the allowed servers (``None``: all of them).

    ``server_of(exposed_name)`` names a tool's server (e.g. from the aggregator's tool_info);
    a call to a tool that is not offered comes back as an error result and never runs.
    """

    def __init__(
        self,
        inner: ToolHost,
        server_of: Callable[[str], str | None],
        allowed: Iterable[str] | None = None,
    ) -> None:
        self._inner = inner
        self._server_of = server_of
        self.allowed: frozenset[str] | None = None if allowed is None else frozenset(allowed)

    def set_allowed(self, servers: Iterable[str] | None) -> None:
        """Offer the tools of ``servers`` from the next request on (None: every server)."""
        self.allowed = None if servers is None else frozenset(servers)

    def offered(self, exposed_name: str) -> bool:
        return self.allowed is None or self._server_of(exposed_name) in self.allowed

    def tool_specs(self) -> Sequence[ToolSpec]:
        return [spec for spec in self._inner.tool_specs() if self.offered(spec.name)]

    async def call_tool(self, call: ToolCall, **kwargs: Any) -> ToolResult:
        if not self.offered(call.name):
            return ToolResult(
                f"The tool {call.name!r} is not enabled in the active preset.", is_error=True
            )
        return await self._inner.call_tool(call, **kwargs)
