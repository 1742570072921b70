"""chatdesk's own JSON export: the schema (``docs/export-format.md``) read back into
conversations. Lossless: every branch, the active path, tool calls as they ran, usage,
summaries, attachment metadata and, when exported with them, the files themselves."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from chatdesk.core.models import MessageStatus, ToolCall
from chatdesk.history.model import (
    ImportedConversation,
    ImportedFile,
    ImportedMessage,
    ImportedSummary,
    ImportedToolRecord,
    ImportError_,
    Skip,
)
from chatdesk.history.tree import Node, build_tree

__all__ = ["FORMAT", "VERSION", "check_header", "convert"]

FORMAT = "chatdesk-export"
#: The schema version this chatdesk writes and the newest it reads.
VERSION = 1
_ROLES = ("system", "user", "assistant", "tool")
_STATUSES = {s.value for s in MessageStatus}


def check_header(path: Path, header: dict[str, Any]) -> str:
    """The format's name for a report; raises (naming ``path``) unless it is ours and readable."""
    if header.get("format") != FORMAT:
        raise ImportError_(
            f"{path} is JSON of another shape: it is not a ChatGPT, Claude or chatdesk export."
        )
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportError_(f"{path} has an invalid format version ({version!r}).")
    if version > VERSION:
        raise ImportError_(
            f"{path} was exported by a newer chatdesk (format version {version}; this version "
            f"reads up to {VERSION}). Update chatdesk to import it."
        )
    return "chatdesk JSON"


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _files(items: Any) -> list[ImportedFile]:
    out: list[ImportedFile] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        data: bytes | None = None
        if isinstance(item.get("data_base64"), str):
            try:
                data = base64.b64decode(item["data_base64"], validate=True)
            except (binascii.Error, ValueError):
                data = None
        out.append(
            ImportedFile(
                _str(item.get("filename")) or "file",
                _str(item.get("mime_type")) or "",
                data,
                int(_num(item.get("size_bytes")) or 0),
                _str(item.get("sha256")) or "",
            )
        )
    return out


def _tool_records(items: Any) -> list[ImportedToolRecord]:
    out: list[ImportedToolRecord] = []
    for r in items if isinstance(items, list) else []:
        if isinstance(r, dict) and isinstance(r.get("call_id"), str):
            out.append(
                ImportedToolRecord(
                    call_id=r["call_id"],
                    tool_name=_str(r.get("tool_name")) or "tool",
                    arguments=_str(r.get("arguments")) or "",
                    server_id=_str(r.get("server_id")),
                    result=_str(r.get("result")),
                    error=_str(r.get("error")),
                    status=_str(r.get("status")) or "ok",
                    started_at=_num(r.get("started_at")) or 0.0,
                    duration_ms=_num(r.get("duration_ms")),
                )
            )
    return out


def _message(item: dict[str, Any], created_default: float) -> ImportedMessage:
    role = item.get("role")
    if role not in _ROLES:
        raise Skip(f"message {item.get('id')!r} has an unknown role {role!r}")
    status = str(item.get("status")) if item.get("status") in _STATUSES else "complete"
    calls = tuple(
        ToolCall(str(c.get("id", "")), str(c.get("name", "")), str(c.get("arguments", "")))
        for c in item.get("tool_calls") or []
        if isinstance(c, dict)
    )
    raw_usage = item.get("usage")
    usage: dict[str, Any] = raw_usage if isinstance(raw_usage, dict) else {}
    created = _num(item.get("created_at")) or created_default
    return ImportedMessage(
        key=str(item.get("id")),
        parent=None if item.get("parent_id") is None else str(item.get("parent_id")),
        role=role,
        content=_str(item.get("content")) or "",
        created_at=created,
        reasoning=_str(item.get("reasoning")) or "",
        status=MessageStatus(status),
        model=_str(item.get("model")),
        tool_calls=calls,
        tool_call_id=_str(item.get("tool_call_id")),
        usage=dict(usage),
        error=_str(item.get("error")),
        generation_id=_str(item.get("generation_id")),
        updated_at=_num(item.get("updated_at")),
        files=_files(item.get("attachments")),
        tool_records=_tool_records(item.get("tool_runs")),
    )


def convert(raw: Any) -> ImportedConversation:
    """One conversation of a chatdesk JSON export; raises ``Skip`` when it is unusable."""
    if not isinstance(raw, dict) or not isinstance(raw.get("messages"), list):
        raise Skip("it is not a chatdesk conversation (no 'messages' list)")
    created = _num(raw.get("created_at")) or 0.0
    nodes: list[Node] = []
    for item in raw["messages"]:
        if not isinstance(item, dict) or item.get("id") is None:
            continue
        message = _message(item, created)
        nodes.append(Node(message.key, message.parent, [message], message.created_at))
    leaf = raw.get("active_leaf_id")
    messages, active = build_tree(nodes, None if leaf is None else str(leaf), merge_thoughts=False)
    summaries = [
        ImportedSummary(
            str(s.get("through_id")),
            str(s.get("content", "")),
            _num(s.get("created_at")) or created,
            _str(s.get("model")),
        )
        for s in raw.get("summaries") or []
        if isinstance(s, dict) and s.get("through_id") is not None
    ]
    aliases = [
        (str(pair[0]), str(pair[1]))
        for pair in raw.get("sources") or []
        if isinstance(pair, list) and len(pair) == 2
    ]
    origin = _str(raw.get("origin")) or ""
    return ImportedConversation(
        source=f"chatdesk:{origin}",
        source_id=str(raw.get("id")),
        title=_str(raw.get("title")) or "Imported chat",
        created_at=created or min(m.created_at for m in messages),
        updated_at=_num(raw.get("updated_at")) or max(m.created_at for m in messages),
        messages=messages,
        active=active,
        model=_str(raw.get("model")),
        pinned=bool(raw.get("pinned")),
        summary=_str(raw.get("summary")) or "",
        summaries=summaries,
        aliases=aliases,
    )
