"""The Qt-free rules of a tool-call card: status, outcome, names and arguments."""

from __future__ import annotations

from chatdesk.core.models import Message, MessageStatus
from chatdesk.ui.chat.tool_cards.tool_outcome import (
    ToolOutcome,
    ToolRun,
    ToolStatus,
    finished_outcome,
    pretty_arguments,
    split_tool_name,
    stored_outcome,
    with_run,
)


def _tool_message(content: str, **kw: object) -> Message:
    return Message(3, 1, "tool", content, 1_700_000_000.0, tool_call_id="c1", **kw)  # type: ignore[arg-type]


def test_names_read_well() -> None:
    assert split_tool_name("calculator__calculate") == ("calculate", "calculator")
    assert split_tool_name("my-srv__get__thing") == ("get__thing", "my-srv")
    assert split_tool_name("plain") == ("plain", "")
    assert split_tool_name("__tool") == ("__tool", "")


def test_arguments_pretty_printed_or_kept() -> None:
    assert pretty_arguments("") == "{}"
    assert pretty_arguments('{"a": 1, "é": [2]}') == '{\n  "a": 1,\n  "é": [\n    2\n  ]\n}'
    assert pretty_arguments("not json {") == "not json {"


def test_a_live_call_ends_done_failed_or_denied() -> None:
    assert finished_outcome("42", None, 0.5) == ToolOutcome(ToolStatus.DONE, "42", 0.5)
    assert finished_outcome("", "boom", 1.0) == ToolOutcome(ToolStatus.FAILED, "boom", 1.0)
    assert finished_outcome("partial", "boom", None).result == "partial"
    denial = "The user denied this call of files__delete; it did not run."
    assert finished_outcome(denial, None, None, denied=True).status is ToolStatus.DENIED


def test_a_stored_result_tells_its_outcome_without_duration() -> None:
    assert stored_outcome(_tool_message("42")) == ToolOutcome(ToolStatus.DONE, "42", None)
    failed = stored_outcome(_tool_message("", status=MessageStatus.ERROR, error="timeout"))
    assert failed == ToolOutcome(ToolStatus.FAILED, "timeout", None)
    # Whether it was denied is recorded with the call's run, not guessed from its wording.
    worded = stored_outcome(_tool_message("The user denied this call of x__y."))
    assert worded.status is ToolStatus.DONE


def test_the_recorded_run_completes_a_stored_outcome() -> None:
    done = ToolOutcome(ToolStatus.DONE, "42")
    assert with_run(done, ToolRun(False, 0.25)) == ToolOutcome(ToolStatus.DONE, "42", 0.25)
    assert with_run(done, ToolRun(True, 1.5)).status is ToolStatus.FAILED
    denied = with_run(done, ToolRun(False, 0.0, denied=True))
    assert denied == ToolOutcome(ToolStatus.DENIED, "42", 0.0)
    for status in (ToolStatus.RUNNING, ToolStatus.NO_RESULT):
        outcome = ToolOutcome(status)
        assert with_run(outcome, ToolRun(True, 2.0)) is outcome


def test_the_denied_flag_decides_not_the_wording() -> None:
    denial = "The user denied this call of x__y."
    assert finished_outcome("42", None, None, denied=True).status is ToolStatus.DENIED
    assert finished_outcome(denial, None, None).status is ToolStatus.DONE
    assert finished_outcome(denial, "boom", None, denied=True).status is ToolStatus.FAILED
