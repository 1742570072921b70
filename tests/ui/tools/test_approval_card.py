"""The approval card: everything shown, keyboard first; and the approver behind it, end to end
with the real aggregator and the built-in calculator server as a subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.models import ToolCall
from chatdesk.mcp.aggregator import MCPToolAggregator
from chatdesk.mcp.approvals import (
    APPROVALS_FILE_NAME,
    ApprovalPolicy,
    ApprovalRequest,
    ApprovalStore,
    ApprovingToolHost,
    Decision,
)
from chatdesk.mcp.config import builtin_server, default_config
from chatdesk.mcp.status import ServerState, ServerStatus
from chatdesk.ui.tools.approval_card import ApprovalCard
from chatdesk.ui.tools.approval_cards import ApprovalCards
from chatdesk.ui.tools.qt_approver import QtApprover
from qtapp import SignalWaiter

LONG = {
    "path": "/home/me/" + "deep/" * 200 + "file.txt",
    "content": "line\n" * 300,
    "options": {f"key{i}": i for i in range(60)},
}


def _request(conversation: int | None = 1, **kw: object) -> ApprovalRequest:
    fields: dict[str, object] = {
        "conversation_id": conversation,
        "server_id": "files",
        "tool_name": "write_file",
        "arguments": LONG,
        "destructive": True,
        "description": "Write a file to disk.",
    }
    fields.update(kw)
    return ApprovalRequest(**fields)  # type: ignore[arg-type]


class Column(QWidget):
    """Stands in for the chat view's inline area (add_inline / remove_inline)."""

    def __init__(self) -> None:
        super().__init__()
        self.box = QVBoxLayout(self)
        self.items: list[QWidget] = []

    def add_inline(self, widget: QWidget) -> None:
        self.items.append(widget)
        self.box.addWidget(widget)
        widget.show()

    def remove_inline(self, widget: QWidget) -> None:
        if widget in self.items:
            self.items.remove(widget)
            self.box.removeWidget(widget)
            widget.deleteLater()


def _shown(qtbot: QtBot, card: QWidget) -> QWidget:
    holder = QWidget()
    QVBoxLayout(holder).addWidget(card)
    qtbot.addWidget(holder)
    holder.resize(700, 600)
    holder.show()
    holder.activateWindow()
    qtbot.waitExposed(holder)
    return holder


def test_the_card_shows_everything(qtbot: QtBot) -> None:
    card = ApprovalCard(_request())
    _holder_card = _shown(qtbot, card)
    assert card.title.text() == "Run write_file from files?"
    assert [b.text() for b in card.badges] == ["destructive"]
    assert card.description.text() == "Write a file to disk."
    text = card.arguments.toPlainText()
    assert text == json.dumps(LONG, indent=2, ensure_ascii=False)  # all of it, never elided
    assert json.loads(text) == LONG
    assert card.arguments.isReadOnly()
    assert card.arguments.verticalScrollBar().maximum() > 0  # long: it scrolls
    assert [b.text() for b in card.buttons.values()] == [
        "Deny",
        "Allow once",
        "Allow for this conversation",
        "Always allow this tool",
    ]
    calm = ApprovalCard(_request(arguments={}, read_only=True, destructive=False))
    _holder_calm = _shown(qtbot, calm)
    assert [b.text() for b in calm.badges] == ["read-only"]
    assert calm.arguments.isHidden()


def test_keyboard_enter_allows_once_and_esc_denies(qtbot: QtBot) -> None:
    card = ApprovalCard(_request())
    _holder_card = _shown(qtbot, card)
    qtbot.waitUntil(card.hasFocus)
    with qtbot.waitSignal(card.decided) as blocker:
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert blocker.args == [Decision.ALLOW_ONCE]
    assert card.outcome.text() == "Allow once" and not card.buttons[Decision.DENY].isVisible()
    QTest.keyClick(card, Qt.Key.Key_Escape)  # decided already: nothing more
    assert card.decision is Decision.ALLOW_ONCE

    second = ApprovalCard(_request())
    _holder_second = _shown(qtbot, second)
    qtbot.waitUntil(second.hasFocus)
    # Clicking into the arguments (to read or copy them) keeps Esc working.
    second.arguments.setFocus()
    with qtbot.waitSignal(second.decided) as blocker:
        QTest.keyClick(second.arguments, Qt.Key.Key_Escape)
    assert blocker.args == [Decision.DENY] and second.outcome.text() == "Denied"

    third = ApprovalCard(_request())
    _holder_third = _shown(qtbot, third)
    third.buttons[Decision.ALLOW_ALWAYS].setFocus()  # as after Tab, Tab, Tab
    with qtbot.waitSignal(third.decided) as blocker:
        QTest.keyClick(third.buttons[Decision.ALLOW_ALWAYS], Qt.Key.Key_Return)
    assert blocker.args == [Decision.ALLOW_ALWAYS]


def test_buttons_decide_once(qtbot: QtBot) -> None:
    card = ApprovalCard(_request())
    _holder_card = _shown(qtbot, card)
    seen: list[Decision] = []
    card.decided.connect(seen.append)
    qtbot.mouseClick(card.buttons[Decision.ALLOW_CONVERSATION], Qt.MouseButton.LeftButton)
    card.decide(Decision.DENY)
    assert seen == [Decision.ALLOW_CONVERSATION]
    assert _holder_card.isVisible()

    stopped = ApprovalCard(_request())
    holder_stopped = _shown(qtbot, stopped)
    stopped.withdraw()
    assert "stopped" in stopped.outcome.text() and stopped.decision is None
    QTest.keyClick(stopped, Qt.Key.Key_Return)
    assert stopped.decision is None and holder_stopped.isVisible()


@contextlib.asynccontextmanager
async def calculator(data_dir: Path) -> AsyncIterator[MCPToolAggregator]:
    """The aggregator with the built-in calculator, ready; run inside the test's coroutine
    (with qasync, tasks left between a fixture's loop run and the test's step outside it)."""
    ready = asyncio.Event()

    def on_status(status: ServerStatus) -> None:
        if status.state is ServerState.READY:
            ready.set()

    config = type(default_config())({"calc": builtin_server("calculator")})
    agg = MCPToolAggregator(config, logs_dir=data_dir / "logs", on_status=on_status)
    agg.start()
    try:
        async with asyncio.timeout(30):
            await ready.wait()
        yield agg
    finally:
        await agg.aclose()


def _call(expression: str) -> ToolCall:
    return ToolCall("c1", "calc__calculate", json.dumps({"expression": expression}))


async def test_a_call_waits_for_the_card_in_its_conversation(data_dir: Path) -> None:
    async with calculator(data_dir) as agg:
        await _a_call_waits_for_the_card(agg, data_dir)


async def _a_call_waits_for_the_card(calculator: MCPToolAggregator, data_dir: Path) -> None:
    approver = QtApprover()
    column = Column()
    column.show()
    shown = {"conversation": 1}
    cards = ApprovalCards(approver, column, lambda: shown["conversation"])
    store = ApprovalStore(data_dir / APPROVALS_FILE_NAME)
    host = ApprovingToolHost(calculator, ApprovalPolicy(store), approver)
    requested = SignalWaiter(approver.requested)
    elsewhere = SignalWaiter(cards.waitingElsewhere)
    finished = SignalWaiter(approver.finished)

    task = asyncio.ensure_future(host.call_tool(_call("6*7"), conversation_id=1))
    (pending,) = await requested.wait(1)
    card = cards.card(pending.approval_id)
    assert card is not None and column.items == [card]
    assert card.request.arguments == {"expression": "6*7"} and card.request.read_only
    card.buttons[Decision.ALLOW_ALWAYS].click()
    assert (await task).content == "42"
    await finished.wait(1)
    assert column.items == []  # decided: the card goes, the tool card takes over
    assert [(r.server_id, r.tool_name) for r in store.rules()] == [("calc", "calculate")]

    # A request of a conversation that is not on screen waits there, and comes back with it.
    store.revoke("calc", "calculate")
    other = asyncio.ensure_future(host.call_tool(_call("1+1"), conversation_id=2))
    (waiting,) = await elsewhere.wait(1)
    assert waiting.request.conversation_id == 2 and column.items == []
    shown["conversation"] = 2
    cards.show_for(2)
    again = cards.card(waiting.approval_id)
    assert again is not None and column.items == [again]
    cards.show_for(2)  # shown twice: still one card
    assert len(column.items) == 1
    QTest.keyClick(column.items[0], Qt.Key.Key_Escape)
    denied = await other
    assert not denied.is_error and "denied" in denied.content
    column.hide()  # not close(): closing the last window would quit the app
    column.deleteLater()


async def test_stopping_the_answer_withdraws_the_card(data_dir: Path) -> None:
    async with calculator(data_dir) as agg:
        await _stopping_withdraws(agg, data_dir)


async def _stopping_withdraws(calculator: MCPToolAggregator, data_dir: Path) -> None:
    approver = QtApprover()
    column = Column()
    cards = ApprovalCards(approver, column, lambda: 5)
    host = ApprovingToolHost(
        calculator, ApprovalPolicy(ApprovalStore(data_dir / APPROVALS_FILE_NAME)), approver
    )
    requested = SignalWaiter(approver.requested)
    finished = SignalWaiter(approver.finished)
    task = asyncio.ensure_future(host.call_tool(_call("2+2"), conversation_id=5))
    (pending,) = await requested.wait(1)
    card = cards.card(pending.approval_id)
    assert card is not None
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await finished.wait(1) == (pending.approval_id, "cancelled")
    assert column.items == [] and approver.pending(5) == []
    assert card.decision is None
    assert not approver.decide(pending.approval_id, Decision.ALLOW_ONCE)  # too late: ignored
    column.deleteLater()
