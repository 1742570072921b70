"""A ToolHost for the orchestrator before the MCP side exists.

The app builds the MCP service after the first paint (importing the mcp SDK is slow), but a
message may be sent before that: until :meth:`DeferredToolHost.set` gives it the real host,
it offers no tools. No pydantic, no mcp SDK here.
"""

from __future__ import annotations

from collections.abc import Sequence

from chatdesk.core.models import ToolCall, ToolSpec
from chatdesk.core.ports import ToolHost, ToolResult


class DeferredToolHost:
    """Offers nothing until :meth:`set`; then everything the real host offers."""

    def __init__(self) -> None:
        self._host: ToolHost | None = None

    def set(self, host: ToolHost | None) -> None:
        """Use ``host`` from the next request on (None: offer nothing again)."""
        self._host = host

    @property
    def ready(self) -> bool:
        return self._host is not None

    def tool_specs(self) -> Sequence[ToolSpec]:
        return self._host.tool_specs() if self._host is not None else ()

    async def call_tool(self, call: ToolCall, *, conversation_id: int | None = None) -> ToolResult:
        if self._host is None:
            return ToolResult("MCP tools are still starting; try again in a moment.", is_error=True)
        return await self._host.call_tool(call, conversation_id=conversation_id)
