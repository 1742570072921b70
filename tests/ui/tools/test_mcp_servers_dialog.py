"""Tools → MCP Servers…: the dialog against a real MCPService, its servers real subprocesses
(the built-in calculator and housekeeping), its config a real file on disk."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from chatdesk.mcp.config import servers_file
from chatdesk.mcp.service import MCPService
from chatdesk.mcp.status import ServerState, ServerStatus
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.tools.mcp_servers_dialog import COL_STATUS, MCPServersDialog
from chatdesk.ui.tools.server_editor import ServerEditor


class States:
    """Await a server's state, from the service's status events."""

    def __init__(self, service: MCPService) -> None:
        self._service = service
        self._changed = asyncio.Event()
        service.add_status_listener(lambda _status: self._changed.set())

    async def wait(self, server_id: str, state: ServerState, limit_s: float = 30) -> ServerStatus:
        async with asyncio.timeout(limit_s):
            while True:
                status = self._service.statuses().get(server_id)
                if status is not None and status.state is state and status.retry_in is None:
                    return status
                self._changed.clear()
                await self._changed.wait()


class Desktop:
    """What the dialog would ask of the desktop: files opened, files chosen, questions."""

    def __init__(self) -> None:
        self.opened: list[Path] = []
        self.chosen: Path | None = None
        self.answers: list[bool] = []
        self.questions: list[str] = []

    def open_file(self, path: Path) -> None:
        self.opened.append(path)

    def choose(self, suggested: Path) -> Path | None:
        return self.chosen

    def confirm(self, question: str) -> bool:
        self.questions.append(question)
        return self.answers.pop(0)


@pytest.fixture
def desktop() -> Desktop:
    return Desktop()


@contextlib.asynccontextmanager
async def opened(
    data_dir: Path, desktop: Desktop
) -> AsyncIterator[tuple[MCPService, MCPServersDialog]]:
    """A running MCPService (first run: the built-ins are seeded) and its dialog, shown.

    Built and closed inside the test's coroutine: with qasync, tasks left between a fixture's
    loop run and the test's would step outside any running loop.
    """
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    quit_on_close = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)  # as the app runs; closing the dialog must not quit
    service = MCPService(data_dir, logs_dir=data_dir / "logs", poll_interval_s=0)
    runner = TaskRunner()
    service.start()
    dialog = MCPServersDialog(
        service,
        runner,
        open_file=desktop.open_file,
        choose_file=desktop.choose,
        confirm=desktop.confirm,
    )
    dialog.runner = runner  # type: ignore[attr-defined]
    dialog.show()
    try:
        yield service, dialog
    finally:
        await runner.wait_idle()
        dialog.close()
        dialog.deleteLater()
        await service.aclose()
        qapp.setQuitOnLastWindowClosed(quit_on_close)


def _saved(data_dir: Path) -> dict[str, dict[str, object]]:
    data = json.loads(servers_file(data_dir).read_text(encoding="utf-8"))
    servers: dict[str, dict[str, object]] = data["mcpServers"]
    return servers


def _status_text(dialog: MCPServersDialog, server_id: str) -> str:
    row = dialog.row(server_id)
    assert row is not None, server_id
    return row.text(COL_STATUS)


async def _idle(dialog: MCPServersDialog) -> None:
    await dialog.runner.wait_idle()  # type: ignore[attr-defined]


def _fill_and_ok(editor: ServerEditor, **fields: str) -> None:
    for name, value in fields.items():
        widget = getattr(editor, name)
        if hasattr(widget, "setPlainText"):
            widget.setPlainText(value)
        elif hasattr(widget, "setCurrentIndex"):
            widget.setCurrentIndex(widget.findData(value))
        else:
            widget.setText(value)
    editor.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


async def test_statuses_enable_switch_and_log(desktop: Desktop, data_dir: Path) -> None:
    async with opened(data_dir, desktop) as (service, dialog):
        await _statuses_enable_switch_and_log(service, dialog, desktop, data_dir)


async def _statuses_enable_switch_and_log(
    service: MCPService, dialog: MCPServersDialog, desktop: Desktop, data_dir: Path
) -> None:
    states = States(service)
    await states.wait("calculator", ServerState.READY)
    await states.wait("housekeeping", ServerState.READY)
    assert _status_text(dialog, "calculator") == "ready · 1 tool"
    assert _status_text(dialog, "housekeeping") == "ready · 2 tools"
    row = dialog.row("calculator")
    assert row is not None and row.text(2) == "built-in (calculator)"

    house = dialog.row("housekeeping")
    assert house is not None
    house.setCheckState(0, Qt.CheckState.Unchecked)
    await _idle(dialog)
    assert _saved(data_dir)["housekeeping"]["enabled"] is False
    assert _status_text(dialog, "housekeeping") == "stopped (disabled)"
    assert dialog.message.text() == "housekeeping disabled"
    assert not any(s.name.startswith("housekeeping") for s in service.aggregator.tool_specs())

    dialog.servers.setCurrentItem(dialog.row("calculator"))
    dialog.log_button.click()
    assert desktop.opened == [data_dir / "logs" / "mcp" / "calculator.log"]
    dialog.servers.setCurrentItem(dialog.row("housekeeping"))
    (data_dir / "logs" / "mcp" / "housekeeping.log").unlink(missing_ok=True)
    dialog.log_button.click()
    assert "housekeeping has no log yet" in dialog.message.text() and len(desktop.opened) == 1


async def test_add_edit_and_remove_servers(desktop: Desktop, data_dir: Path) -> None:
    async with opened(data_dir, desktop) as (service, dialog):
        await _add_edit_and_remove_servers(service, dialog, desktop, data_dir)


async def _add_edit_and_remove_servers(
    service: MCPService, dialog: MCPServersDialog, desktop: Desktop, data_dir: Path
) -> None:
    states = States(service)
    dialog.add_button.click()
    editor = dialog.editor
    assert editor is not None
    _fill_and_ok(editor, command_edit=sys.executable)
    assert editor.isVisible() and editor.error_label.text() == "give it a name"
    _fill_and_ok(editor, id_edit="calculator")
    assert "a server named 'calculator' already exists" in editor.error_label.text()
    _fill_and_ok(editor, id_edit="sums", env_edit="no equals sign")
    assert "Environment, line 1: write it as NAME=value" in editor.error_label.text()
    _fill_and_ok(
        editor, env_edit="TOKEN=${env:SUMS_TOKEN}", args_edit="-m\nchatdesk.mcp.servers.calculator"
    )
    assert not editor.isVisible()
    await _idle(dialog)
    assert _saved(data_dir)["sums"] == {
        "command": sys.executable,
        "args": ["-m", "chatdesk.mcp.servers.calculator"],
        "env": {"TOKEN": "${env:SUMS_TOKEN}"},
    }
    failed = await states.wait("sums", ServerState.FAILED)
    assert "SUMS_TOKEN" in failed.reason
    assert "SUMS_TOKEN" in _status_text(dialog, "sums")

    # Edit: no secret after all, and a new name (it keeps its place in the file).
    dialog.servers.setCurrentItem(dialog.row("sums"))
    dialog.edit_button.click()
    editor = dialog.editor
    assert editor is not None and editor.command_edit.text() == sys.executable
    _fill_and_ok(editor, id_edit="adder", env_edit="")
    await _idle(dialog)
    assert list(_saved(data_dir)) == ["calculator", "housekeeping", "adder"]
    await states.wait("adder", ServerState.READY)
    assert _status_text(dialog, "adder") == "ready · 1 tool"

    # A remote server that is not there: failed, with the reason, while the rest runs.
    dialog.add_button.click()
    editor = dialog.editor
    assert editor is not None
    _fill_and_ok(
        editor,
        id_edit="web",
        transport="http",
        url_edit="http://127.0.0.1:9/mcp",
        headers_edit="Authorization: Bearer ${env:WEB_KEY}",
        approval_combo="allow_read_only",
    )
    await _idle(dialog)
    assert _saved(data_dir)["web"] == {
        "approval": "allow_read_only",
        "url": "http://127.0.0.1:9/mcp",
        "headers": {"Authorization": "Bearer ${env:WEB_KEY}"},
        "type": "http",
    }
    await states.wait("web", ServerState.FAILED)

    dialog.servers.setCurrentItem(dialog.row("web"))
    desktop.answers = [False, True]
    dialog.remove_button.click()
    assert "web" in _saved(data_dir)
    dialog.remove_button.click()
    await _idle(dialog)
    assert "web" not in _saved(data_dir) and dialog.row("web") is None
    assert "Remove the MCP server “web”?" in desktop.questions[0]


async def test_import_rules_and_a_bad_hand_edit(
    desktop: Desktop, data_dir: Path, tmp_path: Path
) -> None:
    async with opened(data_dir, desktop) as (service, dialog):
        await _import_rules_and_a_bad_hand_edit(service, dialog, desktop, data_dir, tmp_path)


async def _import_rules_and_a_bad_hand_edit(
    service: MCPService,
    dialog: MCPServersDialog,
    desktop: Desktop,
    data_dir: Path,
    tmp_path: Path,
) -> None:
    claude = tmp_path / "claude_desktop_config.json"
    claude.write_text(
        json.dumps(
            {
                "mcpServers": {
                    "calculator": {"command": "other"},
                    "more": {
                        "command": sys.executable,
                        "args": ["-m", "chatdesk.mcp.servers.calculator"],
                    },
                }
            }
        ),
        encoding="utf-8",
    )
    desktop.chosen = claude
    dialog.import_button.click()
    await _idle(dialog)
    assert dialog.message.text() == "Imported from claude_desktop_config.json: more"
    assert _saved(data_dir)["calculator"]["command"] == "chatdesk"  # ours kept
    assert dialog.row("more") is not None
    dialog.import_button.click()
    await _idle(dialog)
    assert dialog.message.text().startswith("Nothing new in claude_desktop_config.json")
    claude.write_text("{broken", encoding="utf-8")
    dialog.import_button.click()
    await _idle(dialog)
    assert "not valid JSON" in dialog.message.text()

    service.approvals.allow("calculator", "calculate", "id")
    assert dialog.rules.topLevelItemCount() == 1
    item = dialog.rules.topLevelItem(0)
    assert item is not None and (item.text(0), item.text(1)) == ("calculator", "calculate")
    dialog.rules.setCurrentItem(item)
    dialog.revoke_button.click()
    assert dialog.rules.topLevelItemCount() == 0 and service.approvals.rules() == []
    assert dialog.message.text() == "calculate on calculator will ask again"

    servers_file(data_dir).write_text('{"mcpServers": {"x": {"command": ', encoding="utf-8")
    assert not await service.check_file()
    assert dialog.problem.isVisible() and "not valid JSON" in dialog.problem.text()
    assert dialog.row("calculator") is not None  # the last good config still shows and runs
    dialog.refresh_button.click()
    await _idle(dialog)
    assert dialog.message.text() == "Refreshed"

    # Saving from the dialog now would overwrite the broken hand edit: it is kept aside.
    calculator = dialog.row("calculator")
    assert calculator is not None
    calculator.setCheckState(0, Qt.CheckState.Unchecked)
    await _idle(dialog)
    told = "calculator disabled; your hand edit of the file was kept as mcp_servers.json.bad-"
    assert dialog.message.text().startswith(told)
    bad = data_dir / dialog.message.text().rsplit(" ", 1)[-1]
    assert bad.read_text(encoding="utf-8") == '{"mcpServers": {"x": {"command": '
    assert not dialog.problem.isVisible()
    assert _saved(data_dir)["calculator"]["enabled"] is False
    dialog.close()
    assert not await service.check_file()  # closed: its listeners are gone, nothing breaks


async def test_quick_changes_never_undo_each_other(desktop: Desktop, data_dir: Path) -> None:
    async with opened(data_dir, desktop) as (service, dialog):
        calculator, house = dialog.row("calculator"), dialog.row("housekeeping")
        assert calculator is not None and house is not None
        # Two switches before the first save has run: each applies to the one before.
        house.setCheckState(0, Qt.CheckState.Unchecked)
        calculator.setCheckState(0, Qt.CheckState.Unchecked)
        await _idle(dialog)
        saved = _saved(data_dir)
        assert saved["housekeeping"]["enabled"] is False
        assert saved["calculator"]["enabled"] is False
        assert not any(s.enabled for s in service.config.servers.values())
