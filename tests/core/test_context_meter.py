"""The context meter's estimate: the active path, corrected by the provider's prompt_tokens."""

from __future__ import annotations

from chatdesk.core import context
from chatdesk.core.compaction import messages_to_compact, transcript
from chatdesk.core.context_meter import ContextUse, context_use
from chatdesk.core.models import Message, MessageStatus, Summary, ToolCall


def _msg(id_: int, role: str, text: str, **kw: object) -> Message:
    return Message(id_, 1, role, text, created_at=float(id_), **kw)  # type: ignore[arg-type]


PATH = [
    _msg(1, "user", "hello " * 40),
    _msg(2, "assistant", "world " * 80),
    _msg(3, "user", "again " * 20),
]


def test_without_usage_the_whole_request_is_estimated() -> None:
    use = context_use(PATH, [], "Be brief.", 1000)
    request = [context.RequestMessage("system", "Be brief."), *context.to_request_messages(PATH)]
    assert use.tokens == sum(context.message_tokens(m) for m in request)
    assert use.limit == 1000 and use.fraction == use.tokens / 1000


def test_reported_prompt_tokens_replace_the_estimate_up_to_that_answer() -> None:
    measured = [
        PATH[0],
        _msg(2, "assistant", "world " * 80, prompt_tokens=5000, completion_tokens=700),
        PATH[2],
    ]
    use = context_use(measured, [], "", 8000)
    tail = context.message_tokens(context.RequestMessage("user", PATH[2].content))
    assert use.tokens == 5000 + 700 + tail


def test_a_stopped_answer_is_not_taken_as_measured() -> None:
    stopped = [
        PATH[0],
        _msg(
            2,
            "assistant",
            "world",
            prompt_tokens=5000,
            completion_tokens=1,
            status=MessageStatus.CANCELLED,
        ),
    ]
    assert context_use(stopped, [], "", None).tokens < 5000


def test_a_summary_replaces_what_it_covers_and_older_measurements() -> None:
    measured = [
        PATH[0],
        _msg(2, "assistant", "world " * 80, prompt_tokens=5000, completion_tokens=700),
        PATH[2],
    ]
    summary = Summary(1, 1, through_id=2, content="short", created_at=10.0)
    use = context_use(measured, [summary], "", 8000)
    assert use.tokens < 200  # the summary and the last question, not 5,700 tokens


def test_warning_starts_at_eighty_percent() -> None:
    assert not ContextUse(799, 1000).warn
    assert ContextUse(800, 1000).warn
    assert not ContextUse(10**6, None).warn and ContextUse(5, None).fraction is None


def test_compaction_keeps_the_newest_turns_and_starts_after_the_last_summary() -> None:
    path = [_msg(i, "user" if i % 2 else "assistant", f"m{i}") for i in range(1, 9)]
    assert [m.id for m in messages_to_compact(path, None, keep_turns=2)] == [1, 2, 3, 4]
    earlier = Summary(1, 1, through_id=2, content="s", created_at=0.0)
    assert [m.id for m in messages_to_compact(path, earlier, keep_turns=2)] == [3, 4]
    assert messages_to_compact(path, None, keep_turns=4) == []


def test_transcript_labels_roles_tools_and_the_previous_summary() -> None:
    called = _msg(2, "assistant", "", tool_calls=(ToolCall("c1", "calc__add", "{}"),))
    text = transcript(
        [_msg(1, "user", "hi"), called, _msg(3, "tool", "42")],
        Summary(1, 1, 0, "before", 0.0),
    )
    assert text == (
        "[Summary of what came before]\nbefore\n\n[User]\nhi\n\n"
        "[Assistant]\n(called tools: calc__add)\n\n[Tool result]\n42"
    )
