"""ChatGPT's data export (``conversations.json``, alone or in the export zip) to chatdesk
conversations.

Each conversation's ``mapping`` is a tree of nodes; ``current_node`` is the leaf ChatGPT showed.
Content types: ``text``; ``multimodal_text`` (text, images from the zip, audio transcripts);
``code`` sent to a tool (a tool call) and its ``execution_output`` or browsing result (the tool's
answer); ``tether_quote``; ``thoughts`` and ``reasoning_recap`` (reasoning of the answer after
them); ``system_error``. Hidden messages (system prompts, custom instructions, memory) are left
out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from chatdesk.core.models import MessageStatus, ToolCall
from chatdesk.history.model import ImportedConversation, ImportedFile, ImportedMessage, Skip
from chatdesk.history.times import epoch
from chatdesk.history.tree import Node, build_tree

__all__ = ["SOURCE", "FileLookup", "convert", "looks_like"]

SOURCE = "chatgpt"
#: Finds a file of the export by the id in an ``asset_pointer`` (None: not in the export).
FileLookup = Callable[[str], ImportedFile | None]
_HIDDEN_TYPES = {"user_editable_context", "model_editable_context", "app_pairing_content"}
_MISSING_IMAGE = "(An image that is not in the export.)"


def looks_like(raw: object) -> bool:
    """Whether ``raw`` is a conversation of a ChatGPT export (``mapping`` may be missing in
    real ones: such a conversation is skipped, the file is still ChatGPT's)."""
    return isinstance(raw, dict) and (
        isinstance(raw.get("mapping"), dict) or ("current_node" in raw and "title" in raw)
    )


def _text_parts(parts: object) -> list[str]:
    return [p for p in parts if isinstance(p, str)] if isinstance(parts, list) else []


def _asset_id(pointer: object) -> str:
    return pointer.split("://", 1)[-1] if isinstance(pointer, str) else ""


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else ""


class _Converter:
    def __init__(self, raw: Mapping[str, Any], files: FileLookup | None) -> None:
        self.raw = raw
        self.files = files
        self.mapping: dict[str, Any] = raw["mapping"]
        self.started = epoch(raw.get("create_time"), 0.0)

    def content_type(self, key: object) -> str:
        node = self.mapping.get(key) if isinstance(key, str) else None
        message = node.get("message") if isinstance(node, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        return str(content.get("content_type", "")) if isinstance(content, dict) else ""

    def node(self, key: str, value: Any, time: float) -> Node:
        parent = value.get("parent") if isinstance(value, dict) else None
        parent = parent if isinstance(parent, str) else None
        message = value.get("message") if isinstance(value, dict) else None
        if not isinstance(message, dict):
            return Node(key, parent, [], time)
        created = epoch(message.get("create_time"), time)
        converted = self.message(key, parent, message, created)
        return Node(key, parent, [converted] if converted else [], created)

    def message(
        self, key: str, parent: str | None, message: dict[str, Any], created: float
    ) -> ImportedMessage | None:
        author = _dict(message.get("author"))
        role = str(author.get("role") or "")
        metadata = _dict(message.get("metadata"))
        content = _dict(message.get("content"))
        kind = str(content.get("content_type") or "text")
        if metadata.get("is_visually_hidden_from_conversation") or kind in _HIDDEN_TYPES:
            return None
        if role not in ("system", "user", "assistant", "tool"):
            return None
        recipient = str(message.get("recipient") or "all")
        out = ImportedMessage(
            key=key,
            parent=parent,
            role=role,  # type: ignore[arg-type]  # checked above
            content="",
            created_at=created,
            model=(metadata.get("model_slug") or None) if role == "assistant" else None,
            updated_at=epoch(message.get("update_time"), created),
        )
        if str(message.get("status") or "") == "in_progress":
            out.status = MessageStatus.CANCELLED
        if kind == "code" and recipient != "all":
            arguments = json.dumps({"code": _as_text(content.get("text"))}, ensure_ascii=False)
            out.tool_calls = (ToolCall(f"call_{key}", recipient, arguments),)
        elif kind == "code":
            language = _as_text(content.get("language"))
            out.content = f"```{language}\n{_as_text(content.get('text'))}\n```"
        elif kind == "execution_output" or (role == "tool" and kind == "tether_browsing_display"):
            out.content = _as_text(content.get("text")) or _as_text(content.get("result"))
            if not out.content:
                out.content = _as_text(content.get("summary"))
        elif kind == "tether_quote":
            title = _as_text(content.get("title")) or _as_text(content.get("domain"))
            quote = "\n".join(f"> {line}" for line in _as_text(content.get("text")).splitlines())
            url = _as_text(content.get("url"))
            out.content = f"{quote}\n\n— [{title}]({url})" if url else quote
        elif kind == "thoughts":
            thoughts = _list(content.get("thoughts"))
            out.reasoning = "\n\n".join(
                "\n\n".join(
                    t
                    for t in (f"**{_as_text(item.get('summary'))}**", _as_text(item.get("content")))
                    if t not in ("", "****")
                )
                for item in thoughts
                if isinstance(item, dict)
            )
        elif kind == "reasoning_recap":
            out.reasoning = _as_text(content.get("content"))
        elif kind == "system_error":
            out.status = MessageStatus.ERROR
            out.error = ": ".join(
                t for t in (_as_text(content.get("name")), _as_text(content.get("text"))) if t
            )
        elif kind == "multimodal_text":
            self.multimodal(out, content.get("parts"))
        else:  # text, and any type with text parts or a text field
            out.content = "\n".join(_text_parts(content.get("parts"))) or _as_text(
                content.get("text")
            )
        if role == "tool":
            parent_kind = self.content_type(parent)
            out.tool_call_id = f"call_{parent}" if parent_kind == "code" else None
            if out.tool_call_id is None:  # a tool's words with no call before them
                out.role = "assistant"
        if role == "system" and not out.content.strip():
            return None
        if not (out.content or out.reasoning or out.tool_calls or out.files or out.error):
            return None if role in ("system", "tool") or kind in _HIDDEN_TYPES else out
        return out

    def multimodal(self, out: ImportedMessage, parts: object) -> None:
        texts: list[str] = []
        for part in parts if isinstance(parts, list) else []:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict):
                kind = part.get("content_type")
                if kind == "image_asset_pointer":
                    found = self.files(_asset_id(part.get("asset_pointer"))) if self.files else None
                    if found is None:
                        texts.append(_MISSING_IMAGE)
                    else:
                        out.files.append(found)
                elif isinstance(part.get("text"), str):  # audio_transcription and the like
                    texts.append(part["text"])
        out.content = "\n".join(t for t in texts if t)


def _source_id(raw: Mapping[str, Any]) -> str:
    for key in ("conversation_id", "id"):
        value = raw.get(key)
        if isinstance(value, str) and value:
            return value
    basis = json.dumps([raw.get("title"), raw.get("create_time"), sorted(raw["mapping"])[:8]])
    return "sha1:" + hashlib.sha1(basis.encode()).hexdigest()


def convert(raw: Any, files: FileLookup | None = None) -> ImportedConversation:
    """One conversation of a ChatGPT export; raises ``Skip`` when it cannot be imported."""
    if not looks_like(raw):
        raise Skip("it is not a ChatGPT conversation (no 'mapping')")
    if not isinstance(raw.get("mapping"), dict):
        raise Skip("it has no messages (no 'mapping')")
    c = _Converter(raw, files)
    nodes: list[Node] = []
    for key, value in c.mapping.items():
        node_key = value.get("id") if isinstance(value, dict) else None
        nodes.append(c.node(node_key if isinstance(node_key, str) else str(key), value, c.started))
    _inherit_times(nodes, c.started)
    current = raw.get("current_node")
    messages, leaf = build_tree(nodes, current if isinstance(current, str) else None)
    started = c.started or min(m.created_at for m in messages)
    updated = epoch(raw.get("update_time"), max(m.created_at for m in messages))
    title = _as_text(raw.get("title")).strip() or "Imported chat"
    return ImportedConversation(
        source=SOURCE,
        source_id=_source_id(raw),
        title=title,
        created_at=started,
        updated_at=max(updated, started),
        messages=messages,
        active=leaf,
    )  # no conversation model: ChatGPT's names ("gpt-4o") are not this app's model ids


def _inherit_times(nodes: list[Node], start: float) -> None:
    """Messages with no time take their parent's (or the conversation's start)."""
    times = {n.key: n.order for n in nodes if n.order}
    by_key = {n.key: n for n in nodes}
    for node in nodes:
        if node.order:
            continue
        seen: set[str] = set()
        parent = node.parent
        while parent is not None and parent not in times and parent not in seen:
            seen.add(parent)
            parent = by_key[parent].parent if parent in by_key else None
        node.order = times.get(parent, start) if parent is not None else start
        for message in node.messages:
            message.created_at = node.order
