"""Tools › Tool activity: every call in the ledger with who let it run, exported; an "always"
grant revoked there asks again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from test_user_text import CALCULATOR, _calculator_ready, _type_and_send

from chatdesk.core.models import ToolCall
from chatdesk.mcp.approvals import Decision
from chatdesk.storage.ledger import LedgerFilter
from chatdesk.ui.tools.approval_card import ApprovalCard
from chatdesk.ui.tools.tool_activity import ToolActivityWindow
from fakes.openrouter import FakeOpenRouter, Reply
from qtapp import SignalWaiter, started_app

pytestmark = pytest.mark.gui


async def test_the_ledger_shows_each_call_and_a_revoked_grant_asks_again(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path, tmp_path: Path
) -> None:
    (data_dir / "mcp_servers.json").write_text(json.dumps({"mcpServers": CALCULATOR}))
    first = ToolCall("call_1", "calc__calculate", '{"expression": "6*7"}')
    second = ToolCall("call_2", "calc__calculate", '{"expression": "2+2"}')
    app_env.enqueue(
        Reply.stream("", tool_calls=[first]),
        Reply.stream("42."),
        Reply.stream("", tool_calls=[second]),
        Reply.stream("4."),
    )
    async with started_app(qapp, data_dir) as app:
        assert app.controller is not None and app.window is not None and app.mcp is not None
        await _calculator_ready(app)
        approver = app.mcp.tool_host.approver
        assert approver is not None
        requested = SignalWaiter(approver.requested)  # type: ignore[attr-defined]
        idle = SignalWaiter(app.controller.busyChanged)
        edit = app.window.composer.edit

        # "Always allow" on the first card; the second call runs without asking.
        edit.setFocus()
        _type_and_send(app, "6*7?")
        await requested.wait()
        card = app.window.findChild(ApprovalCard)
        assert card is not None
        card.buttons[Decision.ALLOW_ALWAYS].click()
        await idle.wait(2)
        _type_and_send(app, "2+2?")
        await idle.wait(4)
        assert len(requested.values) == 1

        # Tools › Tool activity: both calls, who let them run, the arguments in full.
        app.open_tool_activity()
        await app.runner.wait_idle()
        activity = app.window.findChild(ToolActivityWindow)
        assert activity is not None and activity.isVisible()
        rows = [
            [activity.calls.topLevelItem(r).text(c) for c in (2, 3, 4, 5)]
            for r in range(activity.calls.topLevelItemCount())
        ]
        assert rows == [["calc", "calculate", "always", "ran"]] * 2
        assert '{"expression": "2+2"}' in activity.details.toPlainText()
        entries = await app.repository.tool_activity(LedgerFilter())  # type: ignore[union-attr]
        assert [e.arguments for e in entries] == [second.arguments, first.arguments]
        assert [e.decision for e in entries] == ["always", "always"]

        # The filter narrows it; the grant is listed and revoked; the tool asks again.
        activity.search.setText("6*7")
        await SignalWaiter(activity.filterChanged).wait()
        await app.runner.wait_idle()
        assert activity.calls.topLevelItemCount() == 1
        grants = [
            activity.grants.topLevelItem(r).text(0)
            for r in range(activity.grants.topLevelItemCount())
        ]
        assert grants[0] == "Always" and set(grants[1:]) <= {"Preset"}  # shipped presets too
        assert activity.grants.topLevelItem(0).text(2) == "calculate"
        activity.grants.setCurrentItem(activity.grants.topLevelItem(0))
        activity.revoke_button.click()
        await app.runner.wait_idle()
        after = [
            activity.grants.topLevelItem(r).text(0)
            for r in range(activity.grants.topLevelItemCount())
        ]
        assert after == grants[1:]
        assert app.mcp.approvals.rules() == []

        third = ToolCall("call_3", "calc__calculate", '{"expression": "3*3"}')
        app_env.enqueue(Reply.stream("", tool_calls=[third]), Reply.stream("Not computed."))
        activity.reject()
        _type_and_send(app, "3*3?")
        await requested.wait(2)  # it asks again
        card = app.window.findChild(ApprovalCard)
        assert card is not None
        card.buttons[Decision.DENY].click()
        await idle.wait(6)
        latest = await app.repository.tool_activity(LedgerFilter(limit=1))  # type: ignore[union-attr]
        assert [(e.status, e.decision) for e in latest] == [("denied", "denied")]
