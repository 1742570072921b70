"""Small rules on the core's models."""

from __future__ import annotations

from chatdesk.core.models import Message, Usage, last_usage


def _answer(mid: int, prompt: int | None, completion: int | None, cost: float | None) -> Message:
    return Message(
        mid, 1, "assistant", "a", 1.0, prompt_tokens=prompt, completion_tokens=completion, cost=cost
    )


def test_the_last_reply_usage_is_the_newest_answer_with_counts() -> None:
    user = Message(1, 1, "user", "q", 1.0)
    older, newer = _answer(2, 10, 5, 0.01), _answer(3, 20, 7, None)
    stopped = _answer(4, None, None, None)  # stopped before the server counted
    assert last_usage([user, older, newer, stopped]) == Usage(20, 7, 27, None)
    assert last_usage([user, older]) == Usage(10, 5, 15, 0.01)
    assert last_usage([user]) is None
