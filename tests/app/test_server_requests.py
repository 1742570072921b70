"""A server asks back: server-everything's sampling and elicitation tools, driven from the
keyboard as a person would — the tool allowed with Enter, the sampling allowed with Enter,
the model's answer sent with Enter, the form filled in and submitted —, each recorded in the
ledger, and typing goes straight back to the composer after every card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mcp_support import until_offered, use_everything
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit

from chatdesk.core.models import ToolCall
from chatdesk.storage.ledger import LedgerFilter
from chatdesk.ui.tools.approval_card import ApprovalCard
from chatdesk.ui.tools.elicitation_card import ElicitationCard
from chatdesk.ui.tools.sampling_card import SamplingCard
from fakes.openrouter import FakeOpenRouter, Reply
from fakes.openrouter_replies import default_usage
from qtapp import SignalWaiter, started_app

pytestmark = pytest.mark.gui


def _sampling_call() -> ToolCall:
    arguments = {"prompt": "a haiku about tea", "maxTokens": 60}
    return ToolCall("call_s", "everything__trigger-sampling-request", json.dumps(arguments))


async def test_a_sampling_request_is_allowed_answered_and_sent_back_with_enter(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    use_everything(data_dir)
    app_env.enqueue(
        Reply.stream("", tool_calls=[_sampling_call()]),
        Reply.stream("Steam curls from the cup", usage=default_usage(20, 6)),
        Reply.stream("The server liked the haiku."),
    )
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.mcp is not None and app.tools is not None
        await until_offered(app, app.mcp.aggregator.tool_specs)
        window = app.window
        approver = app.mcp.tool_host.approver
        cards = app.tools.server_ask_cards
        assert approver is not None and cards is not None
        asker = cards._asker
        approval = SignalWaiter(approver.requested)  # type: ignore[attr-defined]
        asked, reviewing = SignalWaiter(asker.asked), SignalWaiter(asker.reviewing)
        idle = SignalWaiter(app.controller.busyChanged)  # type: ignore[union-attr]
        edit = window.composer.edit
        edit.setFocus()
        QTest.keyClicks(edit, "Ask the server for a haiku")
        QTest.keyClick(edit, Qt.Key.Key_Return)

        await approval.wait()
        assert isinstance(QApplication.focusWidget(), ApprovalCard)
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)  # allow the tool once

        await asked.wait(1, limit_s=30)
        card = window.chat_view.findChild(SamplingCard)
        assert card is not None and card.isVisible()
        assert card.title.text() == "everything asks the model for a completion"
        assert card.system_box is not None
        assert card.system_box.toPlainText() == "You are a helpful test server."
        assert card.message_boxes[0].toPlainText().endswith("a haiku about tea")
        assert "up to 60 tokens" in card.facts.text()
        await _focused(qapp, card)
        QTest.keyClick(card, Qt.Key.Key_Return)  # allow the sampling

        await reviewing.wait()
        assert card.answer_box.toPlainText() == "Steam curls from the cup"
        await _focused(qapp, card)
        QTest.keyClick(card, Qt.Key.Key_Return)  # send the answer back
        await idle.wait(2, limit_s=30)

        # The completion went through the active provider with the server's texts...
        sampling = app_env.requests_to()[1].json
        assert sampling["messages"][0] == {
            "role": "system",
            "content": "You are a helpful test server.",
        }
        assert sampling["max_tokens"] == 60 and "tools" not in sampling
        # ...came back to the server, whose tool result the model saw.
        final = app_env.requests_to()[2].json["messages"][-1]
        assert final["role"] == "tool" and "Steam curls from the cup" in final["content"]
        assert window.chat_view.findChild(SamplingCard) is None

        # The ledger has the call and the sampling; the sampling's cost counts in the chat.
        assert app.repository is not None and app.controller is not None
        entries = await app.repository.tool_activity(LedgerFilter())
        kinds = {(e.kind, e.decision, e.status) for e in entries}
        assert kinds == {("tool", "once", "ok"), ("sampling", "once", "ok")}
        cost = next(e.cost for e in entries if e.kind == "sampling")
        assert cost == default_usage(20, 6)["cost"]
        conversation = app.controller.conversation_id
        assert conversation is not None
        usage = await app.repository.conversation_usage(conversation)
        assert usage.cost is not None and usage.cost > cost

        # Typing goes straight to the composer.
        QTest.keyClicks(QApplication.focusWidget(), "thanks")
        assert window.composer.text() == "thanks"


async def test_a_denied_sampling_tells_the_server_no(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    use_everything(data_dir, approval="allow_all")
    app_env.enqueue(Reply.stream("", tool_calls=[_sampling_call()]), Reply.stream("It said no."))
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.mcp is not None and app.tools is not None
        await until_offered(app, app.mcp.aggregator.tool_specs)
        cards = app.tools.server_ask_cards
        assert cards is not None
        asked = SignalWaiter(cards._asker.asked)
        idle = SignalWaiter(app.controller.busyChanged)  # type: ignore[union-attr]
        edit = app.window.composer.edit
        edit.setFocus()
        QTest.keyClicks(edit, "haiku please")
        QTest.keyClick(edit, Qt.Key.Key_Return)
        await asked.wait(1, limit_s=30)
        card = app.window.chat_view.findChild(SamplingCard)
        assert card is not None
        await _focused(qapp, card)
        QTest.keyClick(card, Qt.Key.Key_Escape)
        await idle.wait(2, limit_s=30)
        assert len(app_env.requests_to()) == 2  # no completion was asked for
        tool = app_env.requests_to()[1].json["messages"][-1]
        assert "User rejected sampling request" in tool["content"]
        assert app.repository is not None
        entries = await app.repository.tool_activity(LedgerFilter())
        assert [(e.kind, e.status) for e in entries if e.kind == "sampling"] == [
            ("sampling", "denied")
        ]


async def test_an_elicitation_form_is_checked_filled_in_and_sent(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    use_everything(data_dir, approval="allow_all")
    call = ToolCall("call_e", "everything__trigger-elicitation-request", "{}")
    app_env.enqueue(Reply.stream("", tool_calls=[call]), Reply.stream("Thanks, Ada."))
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.mcp is not None and app.tools is not None
        await until_offered(app, app.mcp.aggregator.tool_specs)
        cards = app.tools.server_ask_cards
        assert cards is not None
        asked = SignalWaiter(cards._asker.asked)
        idle = SignalWaiter(app.controller.busyChanged)  # type: ignore[union-attr]
        edit = app.window.composer.edit
        edit.setFocus()
        QTest.keyClicks(edit, "fill in the form")
        QTest.keyClick(edit, Qt.Key.Key_Return)
        await asked.wait(1, limit_s=30)
        card = app.window.chat_view.findChild(ElicitationCard)
        assert card is not None and card.form is not None
        form = card.form
        name = form.inputs["name"]
        assert isinstance(name, QLineEdit)
        await _focused(qapp, name)
        # Every kind of field the spec has is shown, with the server's defaults.
        assert isinstance(form.inputs["check"], QCheckBox)
        hero = form.inputs["titledSingleSelectEnum"]
        assert isinstance(hero, QComboBox) and hero.currentText() == "Superman"
        assert form.values()["integer"] == "42"

        # A wrong email is caught on the card; nothing is sent.
        QTest.keyClicks(name, "Ada Lovelace")
        email = form.inputs["email"]
        assert isinstance(email, QLineEdit)
        email.setText("ada-at-example")
        QTest.keyClick(name, Qt.Key.Key_Return)
        assert card.open and form.problems["email"].text().startswith("Enter an email")
        assert QApplication.focusWidget() is email
        email.clear()
        QTest.keyClicks(email, "ada@example.com")
        QTest.keyClick(email, Qt.Key.Key_Return)
        await idle.wait(2, limit_s=30)

        result = app_env.requests_to()[1].json["messages"][-1]["content"]
        assert '"action": "accept"' in result and "Ada Lovelace" in result
        assert "ada@example.com" in result
        assert app.repository is not None
        entries = await app.repository.tool_activity(LedgerFilter())
        recorded = next(e for e in entries if e.kind == "elicitation")
        assert recorded.decision == "accept" and "Ada" not in recorded.arguments
        QTest.keyClicks(QApplication.focusWidget(), "next")
        assert app.window.composer.text() == "next"


async def _focused(qapp: QApplication, widget: object) -> None:
    """Until ``widget`` has the keyboard focus (cards take it once shown)."""
    changes = SignalWaiter(qapp.focusChanged)
    while QApplication.focusWidget() is not widget:
        await changes.wait(len(changes.values) + 1)
