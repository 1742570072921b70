"""Request building: history to wire messages and trimming to the model's context."""

from __future__ import annotations

from chatdesk.core import context
from chatdesk.core.models import Message, MessageStatus, RequestMessage, Role, ToolCall


def _msg(
    i: int,
    role: Role,
    content: str,
    status: MessageStatus = MessageStatus.COMPLETE,
    **kw: object,
) -> Message:
    return Message(i, 1, role, content, float(i), status, **kw)  # type: ignore[arg-type]


def test_estimate_is_conservative_for_ascii_and_counts_other_scripts() -> None:
    assert context.estimate_tokens("") == 0
    assert context.estimate_tokens("abcd" * 100) == 100
    assert context.estimate_tokens("日本語のテキスト") == 8


def test_failed_empty_placeholders_are_dropped_partials_kept() -> None:
    history = [
        _msg(1, "user", "hi"),
        _msg(2, "assistant", "", MessageStatus.ERROR),
        _msg(3, "user", "again"),
        _msg(4, "assistant", "partial ans", MessageStatus.CANCELLED),
        _msg(5, "user", "go on"),
        _msg(6, "assistant", "", MessageStatus.STREAMING),
    ]
    out = context.to_request_messages(history)
    assert [(m.role, m.content) for m in out] == [
        ("user", "hi"),
        ("user", "again"),
        ("assistant", "partial ans"),
        ("user", "go on"),
    ]


def test_tool_calls_kept_with_their_results_unanswered_calls_stripped() -> None:
    call = ToolCall("c1", "calc__add", '{"a": 1}')
    lost = ToolCall("c2", "calc__add", "{}")
    history = [
        _msg(1, "user", "add"),
        _msg(2, "assistant", "", tool_calls=(call, lost)),
        _msg(3, "tool", "2", tool_call_id="c1"),
        _msg(4, "tool", "orphan", tool_call_id="zzz"),
        _msg(5, "assistant", "It is 2."),
    ]
    out = context.to_request_messages(history)
    assert [m.role for m in out] == ["user", "assistant", "tool", "assistant"]
    assert out[1].tool_calls == (call,)
    assert out[2].tool_call_id == "c1"


def test_trim_keeps_system_and_newest_and_tool_groups() -> None:
    system = RequestMessage("system", "be nice")
    msgs = [
        RequestMessage("user", "x" * 400),  # ~104 tokens
        RequestMessage("assistant", "", tool_calls=(ToolCall("c", "t", "{}"),)),
        RequestMessage("tool", "y" * 400, tool_call_id="c"),
        RequestMessage("assistant", "z" * 40),
        RequestMessage("user", "newest"),
    ]
    kept, dropped = context.trim_to_budget(system, msgs, budget_tokens=120)
    assert kept[0] == system
    assert kept[-1].content == "newest"
    assert dropped == 3
    assert all(m.role != "tool" for m in kept)  # the tool group went as a whole
    kept_all, none = context.trim_to_budget(system, msgs, budget_tokens=None)
    assert none == 0 and len(kept_all) == 6


def test_the_newest_message_is_kept_even_over_budget() -> None:
    kept, dropped = context.trim_to_budget(None, [RequestMessage("user", "w" * 4000)], 10)
    assert len(kept) == 1 and dropped == 0


def test_answer_reserve() -> None:
    assert context.answer_reserve(500, 100000) == 500
    assert context.answer_reserve(None, 100000) == 8192
    assert context.answer_reserve(None, 2000) == 2000
    assert context.answer_reserve(None, None) == context.DEFAULT_ANSWER_RESERVE
