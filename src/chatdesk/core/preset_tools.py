"""The MCP side of a preset: which servers' tools are offered, and its approval overrides.

Servers keep running when presets switch (no restarts, the servers file is never rewritten):
``PresetToolHost`` wraps the app's ToolHost and offers only the tools of the active preset's
servers; ``approval_overrides`` turns a preset's approvals (by server or by tool) into the
function the approval policy asks at each call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from chatdesk.core.models import ToolCall, ToolSpec
from chatdesk.core.ports import ToolHost, ToolResult
from chatdesk.core.tool_approval import OverrideFunction

if TYPE_CHECKING:  # the presets module loads after the first paint (see chatdesk.app)
    from chatdesk.core.presets import Preset


class ServerPlan(NamedTuple):
    """Which configured MCP servers a preset enables, its approval overrides (None: the
    servers' own policies), and the ids it names that are not configured."""

    enabled: frozenset[str]
    overrides: OverrideFunction | None
    missing: tuple[str, ...]


def server_plan(preset: Preset | None, configured: Iterable[str]) -> ServerPlan:
    """The MCP servers to offer for ``preset`` (None: every configured server, no overrides)."""
    ids = list(configured)
    if preset is None:
        return ServerPlan(frozenset(ids), None, ())
    enabled = frozenset(s for s in ids if s in preset.mcp_servers)
    missing = tuple(sorted(preset.mcp_servers - set(ids)))
    return ServerPlan(enabled, approval_overrides(preset), missing)


def approval_overrides(preset: Preset | None) -> OverrideFunction | None:
    """The preset's approvals as ``(exposed name, server id) -> policy | None``: a tool's own
    entry wins over its server's; only the preset's servers are overridden. None: no entries."""
    if preset is None or not preset.tool_approvals:
        return None
    rules = dict(preset.tool_approvals)
    allowed = frozenset(preset.mcp_servers)

    def override(exposed: str, server_id: str) -> str | None:
        return (rules.get(exposed) or rules.get(server_id)) if server_id in allowed else None

    return override


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
