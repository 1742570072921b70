"""Plain data the core works with: conversations, messages, tool calls, usage, models.

Frozen dataclasses, no I/O. Timestamps are Unix epoch seconds (float, UTC).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]


class MessageStatus(enum.StrEnum):
    """Lifecycle of a stored message."""

    STREAMING = "streaming"
    COMPLETE = "complete"
    ERROR = "error"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts and cost of one completion (cost in USD; None when the server gives none)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost: float | None = None
    cached_tokens: int = 0
    reasoning_tokens: int = 0


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A function call the model asked for; ``arguments`` is the raw JSON text it sent."""

    id: str
    name: str
    arguments: str


@dataclass(frozen=True, slots=True)
class Conversation:
    """A chat session."""

    id: int
    title: str
    created_at: float
    updated_at: float
    pinned: bool = False
    model: str | None = None
    preset_id: int | None = None
    #: True while the title is still the placeholder (not yet generated or renamed).
    title_is_default: bool = True
    #: The last message of the branch shown (the active path ends here); None when empty.
    active_leaf_id: int | None = None
    #: A one-paragraph summary of the whole conversation ("" until one is made).
    summary: str = ""


AttachmentKind = Literal["image", "pdf", "text"]


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to a message: metadata only; the bytes live in a blob store.

    ``message_id`` is None while the file waits to be sent (or after its message was deleted).
    ``blob_key`` names the blob inside the store of ``backend`` ("local" or "gcs").
    """

    id: int
    filename: str
    mime_type: str
    size_bytes: int
    sha256: str
    backend: str
    blob_key: str
    created_at: float
    last_used_at: float
    message_id: int | None = None
    conversation_id: int | None = None
    signed_url: str | None = None
    signed_url_expires_at: float | None = None

    @property
    def kind(self) -> AttachmentKind:
        """How a model receives it: as an image, a PDF document, or inlined text."""
        if self.mime_type.startswith("image/"):
            return "image"
        if self.mime_type == "application/pdf":
            return "pdf"
        return "text"


@dataclass(frozen=True, slots=True)
class Message:
    """One stored message of a conversation."""

    id: int
    conversation_id: int
    role: Role
    content: str
    created_at: float
    status: MessageStatus = MessageStatus.COMPLETE
    model: str | None = None
    reasoning: str = ""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    error: str | None = None
    parent_id: int | None = None
    #: For assistant messages that called tools.
    tool_calls: tuple[ToolCall, ...] = ()
    #: For role "tool": the call this message answers.
    tool_call_id: str | None = None
    generation_id: str | None = None
    #: Files attached to a user message (filled by the attachment service, not the repository).
    attachments: tuple[Attachment, ...] = ()
    #: Ids of this message and its siblings (same parent), ascending; filled when the message
    #: is read as part of the active path. More than one: the message is one of alternatives.
    sibling_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Summary:
    """Compacted history: ``content`` stands for the active path up to ``through_id``
    (inclusive) in requests; the summarised messages themselves stay stored."""

    id: int
    conversation_id: int
    through_id: int
    content: str
    created_at: float
    model: str | None = None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One entry of a provider's model catalogue. Prices are USD per token."""

    id: str
    name: str = ""
    context_length: int | None = None
    max_completion_tokens: int | None = None
    input_modalities: tuple[str, ...] = ("text",)
    output_modalities: tuple[str, ...] = ("text",)
    prompt_price: float | None = None
    completion_price: float | None = None
    supported_parameters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A function the model may call (OpenAI ``tools`` entry); ``parameters`` is JSON Schema."""

    name: str
    description: str
    parameters: Mapping[str, Any]


ContentPartType = Literal["text", "image_url", "file"]


@dataclass(frozen=True, slots=True)
class ContentPart:
    """One part of a multi-part user message (OpenAI/OpenRouter content array).

    ``text`` for "text"; ``url`` (a data: or https: URL) for "image_url"; ``url`` and
    ``filename`` for "file" (sent as ``file.file_data``). ``filename`` names the attachment a
    part came from, for messages and token estimates.
    """

    type: ContentPartType
    text: str = ""
    url: str = ""
    filename: str = ""


@dataclass(frozen=True, slots=True)
class RequestMessage:
    """A message as sent to the provider (already trimmed and ordered)."""

    role: Role
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None
    #: Extra parts after ``content`` (attachments); empty = plain text content.
    parts: tuple[ContentPart, ...] = ()


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """Everything one chat-completions call needs; the provider turns it into JSON."""

    model: str
    messages: tuple[RequestMessage, ...]
    #: Sampling parameters by their wire names (temperature, top_p, max_tokens, seed, ...).
    parameters: Mapping[str, Any] = field(default_factory=dict)
    tools: tuple[ToolSpec, ...] = ()
    #: OpenRouter provider routing ("provider" object), sent only when not empty.
    provider_routing: Mapping[str, Any] = field(default_factory=dict)
    #: OpenRouter "reasoning" object, e.g. {"effort": "high"}; sent only when not empty.
    reasoning: Mapping[str, Any] = field(default_factory=dict)
    stream: bool = True


@dataclass(frozen=True, slots=True)
class TurnConfig:
    """What a turn is sent with: the active model settings (a preset's, or the defaults)."""

    model: str
    system_prompt: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    provider_routing: Mapping[str, Any] = field(default_factory=dict)
    reasoning: Mapping[str, Any] = field(default_factory=dict)
    #: Model that writes titles; empty = ``model``.
    title_model: str = ""
    generate_titles: bool = True
    preset_id: int | None = None


def last_usage(messages: Sequence[Message]) -> Usage | None:
    """The usage of the newest answer that has token counts (the status bar's "last reply")."""
    for message in reversed(messages):
        if message.role == "assistant" and message.completion_tokens is not None:
            prompt = message.prompt_tokens or 0
            return Usage(
                prompt_tokens=prompt,
                completion_tokens=message.completion_tokens,
                total_tokens=prompt + message.completion_tokens,
                cost=message.cost,
            )
    return None
