"""Tool-call cards in the chat: live start/finish, history, statuses, expanding (offscreen)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

import pytest
from chat_support import msg
from PySide6.QtCore import QMetaMethod, QPoint, Qt
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.app.root import ChatdeskApp
from chatdesk.core.models import MessageStatus, ToolCall, ToolSpec
from chatdesk.core.ports import ToolResult
from chatdesk.ui.chat.chat_view import ChatView
from chatdesk.ui.chat.tool_cards.tool_card import ToolCard
from chatdesk.ui.chat.tool_cards.tool_outcome import ToolRun, ToolStatus
from chatdesk.ui.kit.colors import ERROR_RED
from fakes.openrouter import FakeOpenRouter, Reply
from qtapp import SignalWaiter

pytestmark = pytest.mark.gui


def _cards(view: ChatView, message_id: int) -> list[ToolCard]:
    widget = view.message_widget(message_id)
    assert widget is not None
    return widget.tool_cards()


def _click_header(card: ToolCard) -> None:
    QTest.mouseClick(card, Qt.MouseButton.LeftButton, pos=QPoint(40, 12))


# --- live -------------------------------------------------------------------------------------


def test_live_start_then_finish_updates_one_card(view: ChatView, qtbot: QtBot) -> None:
    call = ToolCall("call_1", "calculator__calculate", '{"expression": "1234 * 5678"}')
    view.add_message(msg(1, "user", "What is 1234 times 5678?"))
    view.start_assistant(2, "openai/gpt-4o-mini")
    view.tool_started(2, call)

    (card,) = _cards(view, 2)
    assert card.isVisible() and not card.expanded
    assert card.status is ToolStatus.RUNNING and card.status_label.text() == "running…"
    assert (card.name_label.text(), card.server_label.text()) == ("calculate", "· calculator")
    assert "calculator__calculate" in card.toolTip()
    assert not card.duration_label.isVisible()
    widget = view.message_widget(2)
    assert widget is not None and not widget.thinking_visible  # the card says what happens

    view.tool_finished(2, call, "7006652", None, 0.0123)
    assert _cards(view, 2) == [card]
    assert card.status is ToolStatus.DONE and card.status_label.text() == "done"
    assert card.duration_label.isVisible() and card.duration_label.text() == "12 ms"
    assert card.accessibleName() == "Tool call calculate on calculator: done, 12 ms"

    # The round ends: the message is stored complete with its calls; the card stays as it is.
    view.finish_message(msg(2, "assistant", "", tool_calls=(call,), model="openai/gpt-4o-mini"))
    assert _cards(view, 2) == [card]
    assert card.status is ToolStatus.DONE and card.duration_label.text() == "12 ms"
    assert view.tool_card("call_1") is card


def test_a_call_still_running_when_its_message_ends_says_no_result(view: ChatView) -> None:
    call = ToolCall("c9", "slow__wait", "{}")
    view.start_assistant(2, "m")
    view.tool_started(2, call)
    view.finish_message(msg(2, "assistant", "", tool_calls=(call,)))  # the user pressed Stop
    (card,) = _cards(view, 2)
    assert card.status is ToolStatus.NO_RESULT and card.status_label.text() == "no result"


def test_expanding_shows_the_full_arguments_and_result(view: ChatView, qtbot: QtBot) -> None:
    arguments = {
        "query": "kumquat " * 400,
        "filters": {"lang": ["en", "de"], "limit": 50, "nested": {"deep": [1, 2, 3]}},
        "note": "ünïcode stays as it is",
    }
    result = "\n".join(f"line {i}: " + "x" * 60 for i in range(400))
    call = ToolCall("c1", "search__find", json.dumps(arguments))
    view.start_assistant(2, "m")
    view.tool_started(2, call)
    view.tool_finished(2, call, result, None, 1.42)
    (card,) = _cards(view, 2)
    assert card.arguments_view is None  # built when first opened

    _click_header(card)
    assert card.expanded and card.hasFocus()
    assert card.arguments_view is not None and card.result_view is not None
    qtbot.waitUntil(lambda: card.result_view is not None and card.result_view.isVisible())
    shown = card.arguments_view.toPlainText()
    assert shown == json.dumps(arguments, indent=2, ensure_ascii=False)  # all of it, pretty
    assert json.loads(shown) == arguments
    assert card.result_view.toPlainText() == result
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
    assert card.arguments_view.font().family() == fixed
    for text_view in (card.arguments_view, card.result_view):
        assert text_view.isReadOnly()
        assert text_view.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    # A long result is capped on screen and scrolls inside its well.
    bar = card.result_view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    assert card.result_view.height() < 400
    assert card.duration_label.text() == "1.4 s"

    _click_header(card)
    assert not card.expanded and not card.result_view.isVisible()


# --- history ----------------------------------------------------------------------------------


def test_history_pairs_calls_with_their_results(view: ChatView) -> None:
    add = ToolCall("c1", "calc__add", '{"a": 1, "b": 2}')
    now = ToolCall("c2", "clock__now", '{"tz": "UTC"}')
    view.show_conversation(
        [
            msg(1, "user", "add and tell the time"),
            msg(2, "assistant", "", tool_calls=(add, now)),
            msg(3, "tool", "12:00", tool_call_id="c2"),
            msg(4, "tool", "3", tool_call_id="c1"),
            msg(5, "assistant", "3, and it is noon."),
        ],
        has_older=False,
    )
    assert view.message_widget(3) is None and view.message_widget(4) is None  # no second card
    first, second = _cards(view, 2)
    assert (first.call_id, second.call_id) == ("c1", "c2")
    assert [c.status for c in (first, second)] == [ToolStatus.DONE, ToolStatus.DONE]
    assert (first.outcome.result, second.outcome.result) == ("3", "12:00")
    assert not first.duration_label.isVisible()  # stored messages carry no duration
    first.set_expanded(True)
    assert first.arguments_view is not None and first.result_view is not None
    assert json.loads(first.arguments_view.toPlainText()) == {"a": 1, "b": 2}
    assert first.result_view.toPlainText() == "3"
    all_cards = [c for w in view.message_widgets() for c in w.tool_cards()]
    assert len(all_cards) == 2


def test_recorded_runs_add_the_duration_and_the_failure(view: ChatView) -> None:
    add = ToolCall("c1", "calc__add", "{}")
    div = ToolCall("c2", "calc__divide", "{}")
    view.show_conversation(
        [
            msg(2, "assistant", "", tool_calls=(add, div)),
            msg(3, "tool", "3", tool_call_id="c1"),
            msg(4, "tool", "division by zero", tool_call_id="c2"),
        ],
        has_older=False,
    )
    first, second = _cards(view, 2)
    assert second.status is ToolStatus.DONE  # the message alone does not say it failed
    view.apply_tool_runs(
        {"c1": ToolRun(False, 0.012), "c2": ToolRun(True, 1.5), "zz": ToolRun(True)}
    )
    assert (first.status, first.duration_label.text()) == (ToolStatus.DONE, "12 ms")
    assert (second.status, second.duration_label.text()) == (ToolStatus.FAILED, "1.5 s")


def test_a_result_whose_call_is_older_joins_it_when_it_loads(view: ChatView) -> None:
    call = ToolCall("c1", "calc__add", '{"a": 1, "b": 2}')
    view.show_conversation(
        [msg(3, "tool", "3", tool_call_id="c1"), msg(4, "assistant", "It is 3.")],
        has_older=True,
    )
    (alone,) = _cards(view, 3)  # its call is not loaded yet: the result shows on its own
    assert alone.status is ToolStatus.DONE and alone.name_label.text() == "Tool result"

    view.prepend_messages(
        [msg(1, "user", "1+2?"), msg(2, "assistant", "", tool_calls=(call,))], has_older=False
    )
    assert view.message_widget(3) is None
    (card,) = _cards(view, 2)
    assert card.status is ToolStatus.DONE and card.outcome.result == "3"


def test_text_and_calls_in_one_message(view: ChatView) -> None:
    call = ToolCall("c1", "calc__add", "{}")
    view.show_conversation(
        [
            msg(2, "assistant", "Let me add that.", tool_calls=(call,)),
            msg(3, "tool", "3", tool_call_id="c1"),
        ],
        has_older=False,
    )
    widget = view.message_widget(2)
    assert widget is not None and not widget.is_compact and "Let me add" in widget.plain_text()
    (card,) = widget.tool_cards()
    assert card.status is ToolStatus.DONE


# --- failed and denied --------------------------------------------------------------------------


def test_failed_and_denied_calls_show_their_status(view: ChatView, qapp: QApplication) -> None:
    bad = ToolCall("c1", "calc__divide", '{"a": 1, "b": 0}')
    denied = ToolCall("c2", "files__delete", '{"path": "/"}')
    fine = ToolCall("c3", "calc__add", "{}")
    view.start_assistant(2, "m")
    for call in (bad, denied, fine):
        view.tool_started(2, call)
    view.tool_finished(2, bad, "division by zero", "division by zero", 0.004)
    denial = "The user denied this call of files__delete; it did not run."
    view.tool_finished(2, denied, denial, None, 2.5, True)
    failed_card, denied_card, running_card = _cards(view, 2)

    assert failed_card.status is ToolStatus.FAILED and failed_card.status_label.text() == "failed"
    red = failed_card.status_label.palette().color(QPalette.ColorRole.WindowText)
    assert red == ERROR_RED
    failed_card.set_expanded(True)
    assert failed_card.result_view is not None
    assert failed_card.result_view.toPlainText() == "division by zero"
    assert failed_card.result_view.palette().color(QPalette.ColorRole.Text) == ERROR_RED

    assert denied_card.status is ToolStatus.DENIED and denied_card.status_label.text() == "denied"
    assert "denied" in denied_card.accessibleName()
    assert running_card.status is ToolStatus.RUNNING

    # From history: a tool message stored as failed.
    view.show_conversation(
        [
            msg(2, "assistant", "", tool_calls=(bad, denied)),
            msg(3, "tool", "division by zero", tool_call_id="c1", status=MessageStatus.ERROR),
            msg(4, "tool", denial, tool_call_id="c2"),
        ],
        has_older=False,
    )
    # The denial is known from the call's recorded run, which follows the messages.
    assert [c.status for c in _cards(view, 2)] == [ToolStatus.FAILED, ToolStatus.DONE]
    view.apply_tool_runs({"c1": ToolRun(True, 0.004), "c2": ToolRun(False, 0.0, denied=True)})
    assert [c.status for c in _cards(view, 2)] == [ToolStatus.FAILED, ToolStatus.DENIED]


# --- keyboard ---------------------------------------------------------------------------------


def test_keyboard_opens_and_closes_a_card(view: ChatView, qtbot: QtBot) -> None:
    call = ToolCall("c1", "calc__add", '{"a": 1}')
    view.show_conversation(
        [
            msg(1, "user", "add"),
            msg(2, "assistant", "", tool_calls=(call,)),
            msg(3, "tool", "1", tool_call_id="c1"),
        ],
        has_older=False,
    )
    (card,) = _cards(view, 2)
    assert card.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert card.accessibleName() == "Tool call add on calc: done"
    card.setFocus()
    qtbot.waitUntil(card.hasFocus)
    QTest.keyClick(card, Qt.Key.Key_Return)
    assert card.expanded and card.result_view is not None and card.result_view.isVisible()
    assert "hide" in card.accessibleDescription()
    QTest.keyClick(card, Qt.Key.Key_Space)
    assert not card.expanded
    QTest.keyClick(card, Qt.Key.Key_Right)
    assert card.expanded
    QTest.keyClick(card, Qt.Key.Key_Left)
    assert not card.expanded


def test_cards_follow_zoom_and_theme(view: ChatView, qapp: QApplication) -> None:
    call = ToolCall("c1", "calc__add", '{"a": 1}')
    view.show_conversation(
        [msg(2, "assistant", "", tool_calls=(call,)), msg(3, "tool", "1", tool_call_id="c1")],
        has_older=False,
    )
    (card,) = _cards(view, 2)
    card.set_expanded(True)
    before = card.name_label.font().pointSizeF()
    view.set_zoom(150)
    assert card.name_label.font().pointSizeF() == pytest.approx(before * 1.5, rel=0.05)
    assert card.name_label.font().weight() == card.name_label.font().Weight.DemiBold
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont).family()
    assert card.arguments_view is not None and card.arguments_view.font().family() == fixed


# --- the app, end to end --------------------------------------------------------------------------


class GatedTools:
    """A ToolHost (the port the orchestrator calls) whose ``calc__add`` waits for a gate."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()

    def tool_specs(self) -> Sequence[ToolSpec]:
        schema = {"type": "object", "properties": {"a": {"type": "number"}}}
        return (ToolSpec("calc__add", "Add numbers", schema),)

    async def call_tool(self, call: ToolCall, *, conversation_id: int | None = None) -> ToolResult:
        await self.gate.wait()
        args = json.loads(call.arguments)
        return ToolResult(str(args["a"] + args["b"]), server_id="calc")


def _wire_tool_cards(app: ChatdeskApp) -> None:
    """Connect the controller's tool signals to the chat view unless the window already does."""
    assert app.controller is not None and app.window is not None
    c, chat = app.controller, app.window.chat_view
    if not c.isSignalConnected(QMetaMethod.fromSignal(c.toolCallStarted)):
        c.toolCallStarted.connect(chat.tool_started)
    if not c.isSignalConnected(QMetaMethod.fromSignal(c.toolCallFinished)):
        c.toolCallFinished.connect(chat.tool_finished)


async def test_the_app_shows_a_live_card_and_the_same_card_from_history(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    app, controller, window = running_app, running_app.controller, running_app.window
    assert controller is not None and window is not None
    tools = GatedTools()
    app.tool_host.set(tools)
    _wire_tool_cards(app)
    call = ToolCall("call_1", "calc__add", json.dumps({"a": 2, "b": 40}))
    app_env.enqueue(Reply.stream("", tool_calls=[call]), Reply.stream("2 + 40 = 42."))
    started = SignalWaiter(controller.toolCallStarted)
    finished = SignalWaiter(controller.toolCallFinished)
    busy = SignalWaiter(controller.busyChanged)

    edit = window.composer.edit
    edit.setFocus()
    QTest.keyClicks(edit, "What is 2 + 40?")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    message_id, _call = await started.wait()
    card = window.chat_view.tool_card("call_1")
    assert card is not None and card.status is ToolStatus.RUNNING
    assert card.isVisible() and card.name_label.text() == "add"

    tools.gate.set()
    await finished.wait()
    assert window.chat_view.tool_card("call_1") is card
    assert card.status is ToolStatus.DONE and card.outcome.result == "42"
    assert card.duration_label.text().endswith(("ms", "s"))
    await busy.wait(2)  # busy, then idle: the answer after the tool is in
    assert not controller.busy
    cards = [c for w in window.chat_view.message_widgets() for c in w.tool_cards()]
    assert cards == [card]
    assert window.chat_view.message_widget(message_id) is not None

    # Shown again from the database: the same card, with the stored result and duration.
    conversation_id = controller.conversation_id
    assert conversation_id is not None
    await controller.load_conversation(conversation_id)
    again = window.chat_view.tool_card("call_1")
    assert again is not None and again is not card
    assert again.status is ToolStatus.DONE and again.outcome.result == "42"
    assert again.duration_label.isVisible()
    assert again.duration_label.text().endswith(("ms", "s"))
    roles = [w.role for w in window.chat_view.message_widgets()]
    assert roles == ["user", "assistant", "assistant"]  # the tool message has no widget
