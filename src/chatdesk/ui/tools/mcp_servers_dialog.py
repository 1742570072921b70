"""Tools → MCP Servers…: every server with its live status, an enable switch, add / edit /
remove for both transports, import from Claude Desktop, refresh, restart, the server's log,
and the "always allowed" tools with revoke.

The dialog edits ``mcp_servers.json`` through :mod:`chatdesk.mcp.config` and talks to the
running servers through :class:`ServersBackend` (``chatdesk.mcp.service.MCPService``).
It never awaits: its changes go through ``ServersService`` (the ``StoreService`` pattern).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.errors import ChatdeskError
from chatdesk.mcp.config import (
    MCPConfig,
    RemoteServerConfig,
    builtin_name,
    claude_desktop_config_file,
    with_server,
    without_server,
)
from chatdesk.mcp.status import ServerState, ServerStatus
from chatdesk.ui.kit.colors import ERROR_RED
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.tools.server_editor import ServerEditor
from chatdesk.ui.tools.servers_service import ServersBackend, ServersService

__all__ = ["MCPServersDialog"]

ROLE_ID = Qt.ItemDataRole.UserRole
COL_ON, COL_NAME, COL_KIND, COL_STATUS = range(4)


def _open_file(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class MCPServersDialog(QDialog):
    """See the module docstring. ``open_file``, ``choose_file`` and ``confirm`` are the
    desktop's by default (tests pass their own)."""

    def __init__(
        self,
        backend: ServersBackend,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        open_file: Callable[[Path], None] = _open_file,
        choose_file: Callable[[Path], Path | None] | None = None,
        confirm: Callable[[str], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mcpServersDialog")
        self.setWindowTitle("MCP Servers")
        self.resize(820, 560)
        self._backend = backend
        self.service = ServersService(backend, runner)
        self.service.changed.connect(self._fill_servers)
        self.service.done.connect(self.show_message)
        self.service.failed.connect(self._show_failure)
        self._open_file = open_file
        self._choose_file = choose_file or self._choose_with_dialog
        self._confirm = confirm or self._confirm_with_box
        self.editor: ServerEditor | None = None
        self._signing_out = False

        self.problem = QLabel(self)
        self.problem.setObjectName("configProblem")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setStyleSheet(f"color: {ERROR_RED.name()}")
        self.servers = QTreeWidget(self)
        self.servers.setObjectName("serverList")
        self.servers.setAccessibleName("MCP servers")
        self.servers.setHeaderLabels(["On", "Server", "Connects by", "Status"])
        self.servers.setRootIsDecorated(False)
        self.servers.setUniformRowHeights(True)
        header = self.servers.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.ResizeToContents)
        self.servers.setWordWrap(True)
        self.servers.setColumnWidth(COL_ON, 40)
        self.servers.setColumnWidth(COL_KIND, 200)

        buttons = QVBoxLayout()
        self.add_button = self._button("&Add…", "addServer", self.add_server, buttons)
        self.edit_button = self._button("&Edit…", "editServer", self.edit_server, buttons)
        self.remove_button = self._button("&Remove", "removeServer", self.remove_server, buttons)
        buttons.addSpacing(8)
        self.import_button = self._button(
            "&Import from Claude Desktop…", "importClaude", self.import_claude, buttons
        )
        buttons.addSpacing(8)
        self.refresh_button = self._button("Re&fresh", "refreshServers", self.refresh, buttons)
        self.restart_button = self._button("Re&start", "restartServer", self.restart, buttons)
        self.log_button = self._button("View &log", "viewLog", self.view_log, buttons)
        buttons.addSpacing(8)
        self.sign_in_button = self._button("Si&gn in", "signIn", self.sign_in, buttons)
        self.sign_in_button.setToolTip("Sign in to this server in your browser (OAuth)")
        buttons.addStretch(1)

        self.rules = QTreeWidget(self)
        self.rules.setObjectName("alwaysAllowed")
        self.rules.setAccessibleName("Always allowed tools")
        self.rules.setHeaderLabels(["Server", "Tool", "Allowed since"])
        self.rules.setRootIsDecorated(False)
        self.revoke_button = QPushButton("Re&voke", self)
        self.revoke_button.setObjectName("revokeRule")
        self.revoke_button.clicked.connect(self.revoke)

        self.message = QLabel(self)
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)

        grid = QGridLayout()
        grid.addWidget(self.servers, 0, 0)
        grid.addLayout(buttons, 0, 1)
        grid.addWidget(QLabel("<b>Always allowed tools</b> (no approval card)", self), 1, 0)
        grid.addWidget(self.rules, 2, 0)
        revoke_box = QVBoxLayout()
        revoke_box.addWidget(self.revoke_button)
        revoke_box.addStretch(1)
        grid.addLayout(revoke_box, 2, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(2, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addLayout(grid, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(close)
        layout.addLayout(bottom)

        self._unsubscribe = [
            backend.add_status_listener(self._status_changed),
            backend.add_problem_listener(self._problem_changed),
            backend.approvals.add_listener(self._fill_rules),
        ]
        subscriptions = self._unsubscribe
        self.destroyed.connect(lambda *_: _unsubscribe_all(subscriptions))
        self.finished.connect(lambda *_: _unsubscribe_all(subscriptions))
        self.servers.itemChanged.connect(self._item_changed)
        self.servers.itemSelectionChanged.connect(self._selection_changed)
        self.servers.itemDoubleClicked.connect(lambda *_: self.edit_server())
        self.rules.itemSelectionChanged.connect(self._selection_changed)
        self._problem_changed(backend.config_error)
        self._fill_servers()
        self._fill_rules()

    # --- lists -------------------------------------------------------------------------------

    def _button(
        self, text: str, name: str, slot: Callable[[], None], box: QVBoxLayout
    ) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(lambda _=False: slot())
        box.addWidget(button)
        return button

    def _fill_servers(self) -> None:
        selected = self.selected_server()
        statuses = self._backend.statuses()
        self.servers.blockSignals(True)
        self.servers.clear()
        for server_id, server in self._backend.config.servers.items():
            item = QTreeWidgetItem()
            item.setData(COL_NAME, ROLE_ID, server_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                COL_ON, Qt.CheckState.Checked if server.enabled else Qt.CheckState.Unchecked
            )
            item.setText(COL_NAME, server_id)
            if isinstance(server, RemoteServerConfig):
                kind = f"{server.type.upper()} {server.url}"
            elif (name := builtin_name(server)) is not None:
                kind = f"built-in ({name})"
            else:
                kind = " ".join([server.command, *server.args])
            item.setText(COL_KIND, kind)
            item.setToolTip(COL_KIND, kind)
            self.servers.addTopLevelItem(item)
            status = statuses.get(server_id)
            if status is not None:
                self._show_status(item, status)
            if server_id == selected:
                item.setSelected(True)
                self.servers.setCurrentItem(item)
        self.servers.blockSignals(False)
        first = self.servers.topLevelItem(0)
        if self.servers.currentItem() is None and first is not None:
            self.servers.setCurrentItem(first)
        self._selection_changed()

    def _show_status(self, item: QTreeWidgetItem, status: ServerStatus) -> None:
        text = status.describe()
        item.setText(COL_STATUS, text)
        item.setToolTip(COL_STATUS, text)
        color = ERROR_RED if status.state is ServerState.FAILED else None
        palette_text = self.palette().color(QPalette.ColorRole.Text)
        item.setForeground(COL_STATUS, color or QColor(palette_text))

    def _fill_rules(self) -> None:
        if not shiboken6.isValid(self):
            return
        self.rules.clear()
        for rule in self._backend.approvals.rules():
            since = (
                datetime.datetime.fromtimestamp(rule.granted_at).strftime("%Y-%m-%d %H:%M")
                if rule.granted_at
                else ""
            )
            item = QTreeWidgetItem([rule.server_id, rule.tool_name, since])
            item.setData(0, ROLE_ID, (rule.server_id, rule.tool_name))
            self.rules.addTopLevelItem(item)
        if self._backend.approvals.problem:
            self.show_message(self._backend.approvals.problem, error=True)
        self._selection_changed()

    def row(self, server_id: str) -> QTreeWidgetItem | None:
        """The list row of a server."""
        for index in range(self.servers.topLevelItemCount()):
            item = self.servers.topLevelItem(index)
            if item is not None and item.data(COL_NAME, ROLE_ID) == server_id:
                return item
        return None

    def selected_server(self) -> str | None:
        item = self.servers.currentItem()
        return str(item.data(COL_NAME, ROLE_ID)) if item is not None else None

    def _selection_changed(self) -> None:
        has = self.selected_server() is not None
        for button in (self.edit_button, self.remove_button, self.restart_button, self.log_button):
            button.setEnabled(has)
        self.revoke_button.setEnabled(self.rules.currentItem() is not None)
        self._update_sign_in()

    def _update_sign_in(self) -> None:
        """ "Sign in" for a remote server that signs in with OAuth ("Sign in again" once its
        sign-in is gone; "Sign out" while it is connected)."""
        server_id = self.selected_server()
        server = self._backend.config.servers.get(server_id) if server_id else None
        oauth = isinstance(server, RemoteServerConfig) and not any(
            k.lower() == "authorization" for k in server.headers
        )
        self.sign_in_button.setVisible(oauth)
        status = self._backend.statuses().get(server_id or "")
        self._signing_out = bool(status and status.state is ServerState.READY and oauth)
        again = status is not None and status.sign_in == "again"
        text = "Si&gn out" if self._signing_out else "Si&gn in again" if again else "Si&gn in"
        if self.service.signing_in is not None and self.service.signing_in == server_id:
            text = "Cancel si&gn-in"
        self.sign_in_button.setText(text)

    def sign_in(self) -> None:
        """Sign in to (or out of) the selected remote server."""
        server_id = self.selected_server()
        if server_id is None:
            return
        if self.service.signing_in == server_id:
            self.service.cancel_sign_in()
        elif self._signing_out:
            self.service.sign_out(server_id)
        else:
            self.service.sign_in(server_id)

    # --- backend events --------------------------------------------------------------------------

    def _status_changed(self, status: ServerStatus) -> None:
        if not shiboken6.isValid(self):
            return
        item = self.row(status.server_id)
        if item is not None:
            self._show_status(item, status)
        if status.server_id == self.selected_server():
            self._update_sign_in()

    def _problem_changed(self, problem: str | None) -> None:
        if not shiboken6.isValid(self):
            return
        self.problem.setText(problem or "")
        self.problem.setVisible(bool(problem))
        self._fill_servers()

    def show_message(self, text: str, *, error: bool = False) -> None:
        """One line under the lists: what just happened, or why it did not."""
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {ERROR_RED.name()}" if error else "")

    # --- actions ---------------------------------------------------------------------------------

    def _show_failure(self, text: str) -> None:
        self.show_message(text, error=True)

    def _save(self, change: Callable[[MCPConfig], MCPConfig], done: str) -> None:
        self.service.save(change, done)

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if column != COL_ON:
            return
        server_id = str(item.data(COL_NAME, ROLE_ID))
        server = self._backend.config.servers.get(server_id)
        enabled = item.checkState(COL_ON) == Qt.CheckState.Checked
        if server is None or server.enabled == enabled:
            return
        changed = server.model_copy(update={"enabled": enabled})
        self._save(
            lambda config: with_server(config, server_id, changed, old_id=server_id),
            f"{server_id} {'enabled' if enabled else 'disabled'}",
        )

    def add_server(self) -> None:
        """Open the editor for a new server."""
        self._edit(None)

    def edit_server(self) -> None:
        """Open the editor for the selected server."""
        server_id = self.selected_server()
        if server_id is not None:
            self._edit(server_id)

    def _edit(self, server_id: str | None) -> None:
        config = self._backend.config
        server = config.servers.get(server_id) if server_id is not None else None
        editor = ServerEditor(config.servers, server_id or "", server, self)
        self.editor = editor

        def accepted() -> None:
            new_id, new_server = editor.result_id, editor.result_server
            assert new_server is not None

            def change(config: MCPConfig) -> MCPConfig:
                return with_server(config, new_id, new_server, old_id=server_id)

            try:
                change(self._backend.config)  # said here, at once, if it cannot be saved
            except ChatdeskError as exc:
                self.show_message(exc.user_message, error=True)
                return
            verb = "added" if server_id is None else "saved"
            self._save(change, f"{new_id} {verb}")

        editor.accepted.connect(accepted)
        editor.finished.connect(lambda *_: editor.deleteLater())
        editor.open()

    def remove_server(self) -> None:
        """Remove the selected server (after asking)."""
        server_id = self.selected_server()
        if server_id is None:
            return
        question = (
            f"Remove the MCP server “{server_id}”? Its tools go away and the tools you "
            "always allowed on it will ask again."
        )
        if self._confirm(question):
            self._save(lambda config: without_server(config, server_id), f"{server_id} removed")

    def import_claude(self) -> None:
        """Merge the servers of a Claude Desktop config file (ids already here are kept)."""
        path = self._choose_file(claude_desktop_config_file())
        if path is None:
            return

        self.service.import_claude(path)

    def refresh(self) -> None:
        """List every server's tools again; start failed servers again."""
        self.service.refresh()

    def restart(self) -> None:
        """Stop and start the selected server."""
        server_id = self.selected_server()
        if server_id is not None:
            self.service.restart(server_id)

    def view_log(self) -> None:
        """Open the selected server's log (logs/mcp/<id>.log)."""
        server_id = self.selected_server()
        if server_id is None:
            return
        path = self._backend.log_file(server_id)
        if not path.exists():
            self.show_message(f"{server_id} has no log yet ({path})")
            return
        self._open_file(path)

    def revoke(self) -> None:
        """Forget the selected "always allow" rule: that tool asks again."""
        item = self.rules.currentItem()
        if item is None:
            return
        server_id, tool = item.data(0, ROLE_ID)
        self._backend.approvals.revoke(server_id, tool)
        self.show_message(f"{tool} on {server_id} will ask again")

    # --- desktop defaults ------------------------------------------------------------------------

    def _choose_with_dialog(self, suggested: Path) -> Path | None:
        start = str(suggested if suggested.exists() else Path.home())
        name, _ = QFileDialog.getOpenFileName(
            self, "Import from Claude Desktop", start, "JSON files (*.json);;All files (*)"
        )
        return Path(name) if name else None

    def _confirm_with_box(self, question: str) -> bool:
        answer = QMessageBox.question(self, "MCP Servers", question)
        return answer == QMessageBox.StandardButton.Yes


def _unsubscribe_all(subscriptions: list[Callable[[], None]]) -> None:
    while subscriptions:
        subscriptions.pop()()
