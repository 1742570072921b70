"""Building the message list for a request: history to wire messages, trimmed to fit the model.

Token counts are estimates (no tokenizer is shipped): about four ASCII characters per token and
one token per other character, which over-counts rather than under-counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from chatdesk.core.models import ContentPart, Message, MessageStatus, RequestMessage, Summary

#: Tokens each message costs beyond its text (role, separators).
PER_MESSAGE_OVERHEAD = 4
#: Tokens kept free for the answer when neither the parameters nor the model say.
DEFAULT_ANSWER_RESERVE = 1024
#: Rough cost of one image or document part (providers charge by pixels or pages).
PART_TOKENS = 1000


#: Introduces a compaction summary in the system message.
SUMMARY_HEADING = (
    "Summary of the earlier part of this conversation"
    " (the messages it covers are not repeated below):"
)


def applicable_summary(summaries: Sequence[Summary], path: Sequence[Message]) -> Summary | None:
    """The newest summary whose last covered message is on ``path`` (it stands in for the path
    up to that message), or None."""
    on_path = {m.id for m in path}
    best: Summary | None = None
    for summary in summaries:
        if summary.through_id in on_path and (best is None or summary.through_id > best.through_id):
            best = summary
    return best


def system_message(prompt: str, summary: Summary | None) -> RequestMessage | None:
    """The request's system message: the preset's prompt, then the summary of earlier turns."""
    blocks = [prompt.strip()] if prompt.strip() else []
    if summary is not None and summary.content.strip():
        blocks.append(f"{SUMMARY_HEADING}\n\n{summary.content.strip()}")
    return RequestMessage("system", "\n\n".join(blocks)) if blocks else None


def estimate_tokens(text: str) -> int:
    """A cheap, conservative token estimate for ``text``."""
    if not text:
        return 0
    ascii_len = len(text.encode("ascii", "ignore"))
    return (ascii_len + 3) // 4 + (len(text) - ascii_len)


def message_tokens(message: RequestMessage) -> int:
    """Estimated tokens of one request message, tool calls included."""
    total = PER_MESSAGE_OVERHEAD + estimate_tokens(message.content)
    for call in message.tool_calls:
        total += estimate_tokens(call.name) + estimate_tokens(call.arguments) + 4
    for part in message.parts:
        total += estimate_tokens(part.text) if part.type == "text" else PART_TOKENS
    return total


def to_request_messages(
    history: Sequence[Message], parts: Mapping[int, tuple[ContentPart, ...]] | None = None
) -> list[RequestMessage]:
    """Stored messages to wire messages; drops empty failed placeholders and orphan tool results.

    ``parts`` (by message id) are the attachments of user messages.
    """
    out: list[RequestMessage] = []
    open_calls: set[str] = set()
    for msg in history:
        if msg.role == "system":
            continue
        if msg.role == "tool":
            if msg.tool_call_id not in open_calls:
                continue
            out.append(RequestMessage("tool", msg.content, tool_call_id=msg.tool_call_id))
            continue
        if msg.role == "assistant":
            # Partial answers (cancelled, failed) are context too; their tool calls are not.
            calls = msg.tool_calls if msg.status is MessageStatus.COMPLETE else ()
            if not msg.content and not calls:
                continue
            open_calls = {c.id for c in calls}
            out.append(RequestMessage("assistant", msg.content, tool_calls=calls))
            continue
        open_calls = set()
        extra = parts.get(msg.id, ()) if parts else ()
        out.append(RequestMessage("user", msg.content, parts=extra))
    return _drop_unanswered_calls(out)


def _drop_unanswered_calls(messages: list[RequestMessage]) -> list[RequestMessage]:
    """Strip tool calls that have no tool result after them (the API rejects those)."""
    answered = {m.tool_call_id for m in messages if m.role == "tool"}
    fixed: list[RequestMessage] = []
    for m in messages:
        if m.tool_calls and not all(c.id in answered for c in m.tool_calls):
            kept = tuple(c for c in m.tool_calls if c.id in answered)
            if not kept and not m.content:
                continue
            m = RequestMessage("assistant", m.content, tool_calls=kept)
        fixed.append(m)
    return fixed


def trim_to_budget(
    system: RequestMessage | None,
    messages: Sequence[RequestMessage],
    budget_tokens: int | None,
    *,
    fixed_tokens: int = 0,
) -> tuple[list[RequestMessage], int]:
    """Keep the newest messages that fit ``budget_tokens``; returns them and how many were dropped.

    The system message and the newest message are always kept; an assistant message with tool
    calls is kept or dropped together with its tool results, and the kept history never starts
    with a tool result.
    """
    head = [system] if system is not None else []
    if budget_tokens is None or not messages:
        return head + list(messages), 0
    used = fixed_tokens + sum(message_tokens(m) for m in head)
    groups = _groups(messages)
    kept: list[list[RequestMessage]] = []
    for group in reversed(groups):
        cost = sum(message_tokens(m) for m in group)
        if kept and used + cost > budget_tokens:
            break
        kept.append(group)
        used += cost
    flat = [m for group in reversed(kept) for m in group]
    return head + flat, len(messages) - len(flat)


def _groups(messages: Sequence[RequestMessage]) -> list[list[RequestMessage]]:
    """Split into units that must stay together (assistant tool calls + their results)."""
    groups: list[list[RequestMessage]] = []
    for m in messages:
        if m.role == "tool" and groups:
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def answer_reserve(max_tokens: object, model_max_completion: int | None) -> int:
    """Tokens to keep free for the answer."""
    if isinstance(max_tokens, int) and max_tokens > 0:
        return max_tokens
    if model_max_completion:
        return min(model_max_completion, 8192)
    return DEFAULT_ANSWER_RESERVE
