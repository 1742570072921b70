"""The Qt-free record of the shown conversation's tool calls: names and outcomes."""

from __future__ import annotations

from chat_support import msg

from chatdesk.core.models import MessageStatus, ToolCall
from chatdesk.ui.chat.tool_cards.tool_outcome import ToolOutcome, ToolRun, ToolStatus
from chatdesk.ui.chat.tool_cards.tool_results import ToolResults

CALL = ToolCall("c1", "calculator__calculate", '{"expression": "6*7"}')


def test_learns_names_and_stored_results() -> None:
    tools = ToolResults()
    tools.learn(
        [msg(1, "assistant", "", tool_calls=(CALL,)), msg(2, "tool", "42", tool_call_id="c1")]
    )
    assert tools.names == {"c1": "calculator__calculate"}
    assert tools.outcomes == {"c1": ToolOutcome(ToolStatus.DONE, "42")}
    tools.clear()
    assert tools.names == {} and tools.outcomes == {}


def test_a_live_result_with_its_duration_is_not_replaced_by_the_stored_one() -> None:
    tools = ToolResults()
    tools.started(CALL)
    live = tools.finished(CALL, "42", None, 0.25)
    assert live == ToolOutcome(ToolStatus.DONE, "42", 0.25)
    tools.learn([msg(2, "tool", "42", tool_call_id="c1")])
    assert tools.outcomes["c1"] is live
    failed = tools.finished(CALL, "", "boom", 1.0)
    assert failed.status is ToolStatus.FAILED and tools.outcomes["c1"] is failed


def test_recorded_runs_complete_known_outcomes_only() -> None:
    tools = ToolResults()
    tools.learn([msg(2, "tool", "42", tool_call_id="c1"), msg(3, "tool", "x", tool_call_id="c2")])
    changed = tools.apply_runs(
        {"c1": ToolRun(False, 0.012), "c2": ToolRun(True), "zz": ToolRun(True)}
    )
    assert [call_id for call_id, _, _ in changed] == ["c1", "c2"]
    assert changed[0][1] == ToolOutcome(ToolStatus.DONE, "42")
    assert tools.outcomes["c1"] == ToolOutcome(ToolStatus.DONE, "42", 0.012)
    assert tools.outcomes["c2"].status is ToolStatus.FAILED
    assert "zz" not in tools.outcomes


def test_a_failed_stored_message_is_a_failed_outcome() -> None:
    tools = ToolResults()
    tools.learn([msg(2, "tool", "", tool_call_id="c1", status=MessageStatus.ERROR, error="t/o")])
    assert tools.outcomes["c1"] == ToolOutcome(ToolStatus.FAILED, "t/o")
