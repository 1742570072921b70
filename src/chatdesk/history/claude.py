"""Claude's data export (``conversations.json``) to chatdesk conversations.

Old exports have only each message's ``text``; newer ones have ``content`` blocks: ``text``,
``thinking`` (kept as reasoning), ``tool_use`` and ``tool_result`` (kept as a tool call and its
answer: one Claude message becomes answer, tool result, answer...). Messages with a
``parent_message_uuid`` form a tree (edits and retries); without it they follow one another.
Text extracted from attached files becomes a text attachment.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chatdesk.core.models import ToolCall
from chatdesk.history.model import ImportedConversation, ImportedFile, ImportedMessage, Skip
from chatdesk.history.times import epoch
from chatdesk.history.tree import Node, build_tree

__all__ = ["SOURCE", "convert", "looks_like"]

SOURCE = "claude"
_ROOT = "00000000-0000-4000-8000-000000000000"


def looks_like(raw: object) -> bool:
    """Whether ``raw`` is a conversation of a Claude export."""
    return isinstance(raw, dict) and isinstance(raw.get("chat_messages"), list)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _result_text(content: object) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(_text(b.get("text")) for b in content if isinstance(b, dict))
    return ""


def _files(raw: Mapping[str, Any]) -> list[ImportedFile]:
    out: list[ImportedFile] = []
    for item in raw.get("attachments") or []:
        if isinstance(item, dict) and isinstance(item.get("extracted_content"), str):
            data = item["extracted_content"].encode()
            name = _text(item.get("file_name")) or "attachment.txt"
            out.append(ImportedFile(name, "text/plain", data, len(data)))
    return out


def _messages(key: str, raw: Mapping[str, Any], created: float) -> list[ImportedMessage]:
    """One Claude message as a chain of chatdesk messages (split at tool results)."""
    role = "user" if raw.get("sender") == "human" else "assistant"
    blocks = raw.get("content") if isinstance(raw.get("content"), list) else None
    first = ImportedMessage(key, None, role, "", created, files=_files(raw))  # type: ignore[arg-type]
    if not blocks:
        first.content = _text(raw.get("text"))
        return [first]
    chain = [first]
    texts: list[str] = []
    open_calls: list[str] = []

    def flush() -> None:
        chain[-1].content = "\n\n".join(t for t in texts if t)
        texts.clear()

    for index, block in enumerate(b for b in blocks if isinstance(b, dict)):
        kind = block.get("type")
        current = chain[-1]
        if kind == "text":
            texts.append(_text(block.get("text")))
        elif kind == "thinking":
            current.reasoning = "\n\n".join(
                t for t in (current.reasoning, _text(block.get("thinking"))) if t
            )
        elif kind == "tool_use" and role == "assistant":
            call_id = _text(block.get("id")) or f"{key}-tool{index}"
            arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
            current.tool_calls = (
                *current.tool_calls,
                ToolCall(call_id, _text(block.get("name")) or "tool", arguments),
            )
            open_calls.append(call_id)
        elif kind == "tool_result" and role == "assistant":
            call_id = _text(block.get("tool_use_id")) or (open_calls[0] if open_calls else "")
            if call_id in open_calls:
                open_calls.remove(call_id)
            flush()
            answer = ImportedMessage(
                f"{key}#r{index}",
                None,
                "tool",
                _result_text(block.get("content")),
                created,
                tool_call_id=call_id or None,
            )
            if block.get("is_error"):
                answer.error = answer.content or "The tool failed."
            chain.append(answer)
            chain.append(ImportedMessage(f"{key}#a{index}", None, "assistant", "", created))
    flush()
    if len(chain) > 1 and not (chain[-1].content or chain[-1].reasoning):
        chain.pop()  # nothing said after the last tool result
    if not chain[0].content and not any(m.content for m in chain):
        chain[0].content = _text(raw.get("text"))
    return chain


def convert(raw: Any) -> ImportedConversation:
    """One conversation of a Claude export; raises ``Skip`` when it cannot be imported."""
    if not looks_like(raw):
        raise Skip("it is not a Claude conversation (no 'chat_messages')")
    started = epoch(raw.get("created_at"), 0.0)
    nodes: list[Node] = []
    previous: str | None = None
    items = [m for m in raw["chat_messages"] if isinstance(m, dict)]
    if not any("parent_message_uuid" in m for m in items):  # a list, maybe out of order
        items.sort(key=lambda m: epoch(m.get("created_at"), started))
    for number, item in enumerate(items):
        key = _text(item.get("uuid")) or f"message-{number}"
        created = epoch(item.get("created_at"), started)
        parent: str | None = previous
        if "parent_message_uuid" in item:
            parent = _text(item.get("parent_message_uuid")) or None
            parent = None if parent == _ROOT else parent
        chain = _messages(key, item, created)
        nodes.append(Node(key, parent, chain, created))
        previous = key
    if not nodes:
        raise Skip("it has no messages")
    # build_tree keys the last message of a chain by the node key; earlier ones get suffixes.
    for node in nodes:
        for index, message in enumerate(node.messages[:-1]):
            message.key = f"{node.key}#{index}"
    leaf_hint = _text(raw.get("current_leaf_message_uuid")) or None
    messages, leaf = build_tree(nodes, leaf_hint)
    source_id = _text(raw.get("uuid")) or f"{raw.get('name')}@{raw.get('created_at')}"
    return ImportedConversation(
        source=SOURCE,
        source_id=source_id,
        title=_text(raw.get("name")).strip() or _first_words(messages) or "Imported chat",
        created_at=started or min(m.created_at for m in messages),
        updated_at=epoch(raw.get("updated_at"), max(m.created_at for m in messages)),
        messages=messages,
        active=leaf,
    )


def _first_words(messages: list[ImportedMessage]) -> str:
    """A title for a chat that has none: the start of its first question."""
    first = next((m.content for m in messages if m.role == "user" and m.content.strip()), "")
    words = " ".join(first.split()[:8])
    return words if len(words) <= 60 else words[:59] + "…"
