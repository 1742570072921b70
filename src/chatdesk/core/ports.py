"""Ports: the interfaces the core needs from its adapters (provider, tools).

The core depends on these protocols only; ``chatdesk.app`` passes concrete adapters in.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from chatdesk.core.models import (
    Attachment,
    ChatRequest,
    ContentPart,
    Conversation,
    Message,
    MessageStatus,
    ModelInfo,
    Role,
    Summary,
    ToolCall,
    ToolSpec,
    Usage,
)

if TYPE_CHECKING:
    from chatdesk.core.events import StreamEvent


class ChatProvider(Protocol):
    """An OpenAI-compatible chat-completions backend."""

    def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
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
    """What a tool call returned, as text for the model; ``is_error`` when the tool failed,
    ``denied`` when the user refused the call (it never ran; the text tells the model so).
    ``duration_s`` is how long the tool itself ran, measured by the host that ran it (waiting
    for the user's approval left out); None when the host did not measure it."""

    content: str
    is_error: bool = False
    server_id: str | None = None
    denied: bool = False
    duration_s: float | None = None
    #: Who let it run, or refused it (the ledger): "policy", "read-only", "always",
    #: "conversation", "once", "denied"; None when no approval was involved.
    decision: str | None = None


@dataclass(frozen=True, slots=True)
class ToolCallRecord:
    """One executed tool call of an assistant message, for the ledger."""

    call: ToolCall
    server_id: str | None
    result: str | None
    error: str | None
    status: str  # ok, error, denied
    started_at: float
    duration_ms: float
    decision: str | None = None


class ToolHost(Protocol):
    """Where tools come from (MCP servers); the MCP issue fills it."""

    def tool_specs(self) -> Sequence[ToolSpec]:
        """The tools to offer the model now."""
        ...

    async def call_tool(self, call: ToolCall, *, conversation_id: int | None = None) -> ToolResult:
        """Run one call; failures come back as ``ToolResult(is_error=True)``."""
        ...


class NoTools:
    """A ToolHost that offers nothing."""

    def tool_specs(self) -> Sequence[ToolSpec]:
        return ()

    async def call_tool(self, call: ToolCall, *, conversation_id: int | None = None) -> ToolResult:
        return ToolResult(f"No tool named {call.name!r} is available.", is_error=True)


#: ``append_message``'s default parent: the end of the conversation's active path.
AFTER_LEAF: Literal["leaf"] = "leaf"


class ConversationStore(Protocol):
    """The part of the repository the orchestrator uses (``storage.ChatRepository``).

    Messages form a tree (``parent_id``); each conversation shows one path of it, from a root
    to its active leaf. Reading "the messages" means that path.
    """

    async def get_conversation(self, conversation_id: int) -> Conversation | None: ...

    async def rename_conversation(
        self, conversation_id: int, title: str, *, generated: bool = False
    ) -> bool | None: ...

    async def set_conversation_model(
        self, conversation_id: int, model: str | None, preset_id: int | None = None
    ) -> None: ...

    async def append_message(
        self,
        conversation_id: int,
        role: Role,
        content: str,
        *,
        status: MessageStatus = MessageStatus.COMPLETE,
        model: str | None = None,
        parent_id: int | Literal["leaf"] | None = AFTER_LEAF,
        reasoning: str = "",
        tool_calls: Sequence[ToolCall] = (),
        tool_call_id: str | None = None,
    ) -> Message:
        """Add a message under ``parent_id`` (None: a new root; default: after the active
        leaf); it becomes the conversation's active leaf."""
        ...

    async def update_message(
        self,
        message_id: int,
        *,
        content: str | None = None,
        reasoning: str | None = None,
        status: MessageStatus | None = None,
        model: str | None = None,
        usage: Usage | None = None,
        error: str | None = None,
        generation_id: str | None = None,
        tool_calls: Sequence[ToolCall] | None = None,
    ) -> None: ...

    async def get_message(self, message_id: int) -> Message | None: ...

    async def list_messages(
        self, conversation_id: int, *, limit: int | None = None, before_id: int | None = None
    ) -> list[Message]:
        """The active path, oldest first (with ``limit``: its last messages before
        ``before_id``), each with its ``sibling_ids``."""
        ...

    async def set_active_leaf(self, conversation_id: int, leaf_id: int | None) -> None: ...

    async def discard_branch(self, message_id: int, *, new_leaf: int | None = None) -> int:
        """Delete a message and everything under it for good (a send taken back, a failed
        retry); an active leaf among them becomes ``new_leaf``, or else the message's parent.
        Returns how many messages went."""
        ...

    async def summaries(self, conversation_id: int) -> list[Summary]:
        """The conversation's compaction summaries, oldest first."""
        ...

    async def add_summary(
        self, conversation_id: int, through_id: int, content: str, *, model: str | None = None
    ) -> Summary: ...

    async def set_conversation_summary(self, conversation_id: int, summary: str) -> None: ...

    async def record_tool_calls(
        self, message_id: int, records: Sequence[ToolCallRecord]
    ) -> list[int]: ...


class AttachmentResolver(Protocol):
    """Files on user messages (``attachments.AttachmentService``): checked against the model
    before anything is stored or sent, linked to the stored message, and turned into request
    parts each time a request is built."""

    async def check(
        self, attachments: Sequence[Attachment], model: str, info: ModelInfo | None
    ) -> None:
        """Raise ``InputError`` naming each file ``model`` cannot take (and why)."""
        ...

    async def attach(
        self, message: Message, attachments: Sequence[Attachment]
    ) -> tuple[Attachment, ...]:
        """Link the files to the stored user ``message``; returns them as linked."""
        ...

    async def copy(self, source_id: int, target: Message) -> tuple[Attachment, ...]:
        """Give the stored ``target`` message the files of message ``source_id``."""
        ...

    async def parts_for(
        self, messages: Sequence[Message], model: str, info: ModelInfo | None
    ) -> Mapping[int, tuple[ContentPart, ...]]:
        """Request parts of the user ``messages``' files, by message id (touches the files).

        Files of older messages that ``model`` cannot take become a short text note.
        """
        ...
