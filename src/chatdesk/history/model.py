"""The neutral shape every import format is converted to before it is written, and what an
import reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chatdesk.core.models import MessageStatus, Role, ToolCall
from chatdesk.errors import ChatdeskError

__all__ = [
    "ImportError_",
    "ImportReport",
    "ImportedConversation",
    "ImportedFile",
    "ImportedMessage",
    "ImportedSummary",
    "ImportedToolRecord",
    "Skip",
    "Skipped",
    "count",
]


def count(n: int, word: str, many: str | None = None) -> str:
    """``1 chat``, ``3 chats`` (``many``: an irregular plural)."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


class ImportError_(ChatdeskError):
    """The file cannot be imported at all; the message names it and says why."""


class Skip(Exception):
    """This conversation cannot be imported; ``str()`` is the reason, for the report."""


@dataclass(slots=True)
class ImportedFile:
    """A file of a message: its bytes, or only what is known of it (``data`` None)."""

    filename: str
    mime_type: str
    data: bytes | None = None
    size_bytes: int = 0
    sha256: str = ""


@dataclass(slots=True)
class ImportedToolRecord:
    """A tool call as it ran (the ``tool_calls`` table)."""

    call_id: str
    tool_name: str
    arguments: str
    server_id: str | None = None
    result: str | None = None
    error: str | None = None
    status: str = "ok"
    started_at: float = 0.0
    duration_ms: float | None = None


@dataclass(slots=True)
class ImportedMessage:
    """One message; ``key`` is unique in its conversation, ``parent`` is another's key or
    None for a first message."""

    key: str
    parent: str | None
    role: Role
    content: str
    created_at: float
    reasoning: str = ""
    status: MessageStatus = MessageStatus.COMPLETE
    model: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    generation_id: str | None = None
    updated_at: float | None = None
    files: list[ImportedFile] = field(default_factory=list)
    tool_records: list[ImportedToolRecord] = field(default_factory=list)


@dataclass(slots=True)
class ImportedSummary:
    """A compaction summary standing for the path up to ``through`` (a message key)."""

    through: str
    content: str
    created_at: float
    model: str | None = None


@dataclass(slots=True)
class ImportedConversation:
    """One conversation, ready to write: messages parents first; ``active`` is the key of the
    active leaf (None: the newest leaf)."""

    source: str
    source_id: str
    title: str
    created_at: float
    updated_at: float
    messages: list[ImportedMessage]
    active: str | None = None
    model: str | None = None
    pinned: bool = False
    summary: str = ""
    summaries: list[ImportedSummary] = field(default_factory=list)
    #: Other (source, source_id) pairs this conversation is known by (carried in our JSON).
    aliases: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A conversation left out, and why."""

    title: str
    reason: str


@dataclass(slots=True)
class ImportReport:
    """What an import did."""

    path: str
    format: str = ""
    imported: int = 0
    messages: int = 0
    files: int = 0
    already: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    conversation_ids: list[int] = field(default_factory=list)
    cancelled: bool = False
    #: The file as a whole could not be imported (nothing of it was kept); a sentence.
    error: str = ""

    def summary(self) -> str:
        """One line for a status bar or a terminal."""
        if self.error:
            return self.error
        parts = [f"Imported {count(self.imported, 'chat')} with {count(self.messages, 'message')}"]
        if self.files:
            parts.append(count(self.files, "file"))
        if self.already:
            parts.append(f"{self.already} already here")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        text = ", ".join(parts)
        return text + (" (cancelled)." if self.cancelled else ".")
