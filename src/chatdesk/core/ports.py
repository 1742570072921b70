"""Ports: the interfaces the core needs from its adapters (provider, tools).

The core depends on these protocols only; ``app.py`` passes concrete adapters in.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from chatdesk.core.events import StreamEvent
from chatdesk.core.models import ChatRequest, ModelInfo, ToolCall, ToolSpec


class ChatProvider(Protocol):
    """An OpenAI-compatible chat-completions backend."""

    def stream_chat(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Stream one completion as typed events; raises ``ProviderError`` subclasses."""
        ...

    async def complete(self, request: ChatRequest) -> str:
        """One short non-streamed completion (titles); returns the text."""
        ...

    async def list_models(self, *, refresh: bool = False) -> list[ModelInfo]:
        """The model catalogue (cached; stale when offline)."""
        ...


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What a tool call returned, as text for the model; ``is_error`` when the tool failed."""

    content: str
    is_error: bool = False
    server_id: str | None = None


class ToolHost(Protocol):
    """Where tools come from (MCP servers); the MCP issue fills it."""

    def tool_specs(self) -> Sequence[ToolSpec]:
        """The tools to offer the model now."""
        ...

    async def call_tool(self, call: ToolCall) -> ToolResult:
        """Run one call; failures come back as ``ToolResult(is_error=True)``."""
        ...


class NoTools:
    """A ToolHost that offers nothing."""

    def tool_specs(self) -> Sequence[ToolSpec]:
        return ()

    async def call_tool(self, call: ToolCall) -> ToolResult:
        return ToolResult(f"No tool named {call.name!r} is available.", is_error=True)
