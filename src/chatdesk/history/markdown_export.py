"""A chat as Markdown: front matter (title, model, dates, cost), then the active path, with
reasoning and tool calls in collapsible ``<details>`` blocks."""

from __future__ import annotations

import json
import time
from typing import Any

from chatdesk.history.reading import ExportedChat

__all__ = ["active_path", "chat_cost", "iso", "to_markdown", "tool_results"]


def active_path(chat: ExportedChat) -> list[dict[str, Any]]:
    """The messages of the branch the chat shows, oldest first."""
    by_id = {m["id"]: m for m in chat["messages"]}
    path: list[dict[str, Any]] = []
    key = chat.get("active_leaf_id")
    seen: set[object] = set()
    while key in by_id and key not in seen:
        seen.add(key)
        path.append(by_id[key])
        key = by_id[key].get("parent_id")
    path.reverse()
    return path


def chat_cost(chat: ExportedChat) -> float | None:
    """What the chat's answers cost (every branch); None when none had a cost."""
    costs = [m["usage"]["cost"] for m in chat["messages"] if "cost" in m.get("usage", {})]
    return sum(costs) if costs else None


def iso(seconds: float) -> str:
    """Local time as ``2024-05-01 10:00``."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def _quote_yaml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _who(message: dict[str, Any]) -> str:
    role = message["role"]
    if role == "user":
        return "You"
    if role == "tool":
        return "Tool result"
    return f"Assistant ({message['model']})" if message.get("model") else "Assistant"


def to_markdown(chat: ExportedChat) -> str:
    """The chat's Markdown file."""
    path = active_path(chat)
    models = sorted({m["model"] for m in chat["messages"] if m.get("model")})
    cost = chat_cost(chat)
    lines = [
        "---",
        f"title: {_quote_yaml(chat['title'])}",
        f"model: {_quote_yaml(chat.get('model') or (models[-1] if models else ''))}",
    ]
    if len(models) > 1:
        lines.append(f"models: [{', '.join(_quote_yaml(m) for m in models)}]")
    lines += [
        f"created: {iso(chat['created_at'])}",
        f"updated: {iso(chat['updated_at'])}",
        f"messages: {len(path)}",
    ]
    if len(chat["messages"]) > len(path):
        lines.append(f"other_branches_messages: {len(chat['messages']) - len(path)}")
    if cost is not None:
        lines.append(f"cost_usd: {cost:.6f}")
    lines += ["---", "", f"# {chat['title']}", ""]
    if chat.get("summary"):
        lines += [f"> {chat['summary']}", ""]
    results = tool_results(chat)
    for message in path:
        lines += _message(message, results)
    return "\n".join(lines).rstrip() + "\n"


def tool_results(chat: ExportedChat) -> dict[str, str]:
    """The answer of each tool call, by call id."""
    return {
        str(m["tool_call_id"]): m["content"]
        for m in chat["messages"]
        if m["role"] == "tool" and m.get("tool_call_id")
    }


def _message(message: dict[str, Any], results: dict[str, str]) -> list[str]:
    if message["role"] == "tool" and message.get("tool_call_id"):
        return []  # shown with the call it answers
    out = [f"### {_who(message)} · {iso(message['created_at'])}", ""]
    if message.get("reasoning"):
        out += ["<details><summary>Reasoning</summary>", "", message["reasoning"], "", "</details>"]
        out.append("")
    if message["content"]:
        out += [message["content"], ""]
    for file in message.get("attachments", []):
        size = f"{file['mime_type']}, {file['size_bytes']} bytes"
        out += [f"*Attached: {file['filename']} ({size})*", ""]
    for call in message.get("tool_calls", []):
        result = results.get(str(call.get("id")), "")
        out += [
            f"<details><summary>Tool call: {call.get('name', '')}</summary>",
            "",
            "```json",
            str(call.get("arguments", "")),
            "```",
            "",
        ]
        if result:
            out += ["Result:", "", "```", result, "```", ""]
        out += ["</details>", ""]
    if message.get("error"):
        out += [f"> **Error:** {message['error']}", ""]
    return out
