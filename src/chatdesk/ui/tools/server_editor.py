"""Add or edit one MCP server: a command (stdio) or a URL (streamable HTTP / legacy SSE)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from chatdesk.mcp.config import (
    SAMPLING_POLICIES,
    MCPConfigError,
    RemoteServerConfig,
    ServerConfig,
    StdioServerConfig,
    parse_pairs,
    parse_server,
    server_id_problem,
)

__all__ = ["ServerEditor"]

TRANSPORTS = (
    ("stdio", "Command (stdio)"),
    ("http", "URL (streamable HTTP)"),
    ("sse", "URL (legacy SSE)"),
)
APPROVALS = (
    ("ask", "Ask before every call"),
    ("allow_read_only", "Allow read-only tools, ask for the rest"),
    ("allow_all", "Allow all tools without asking"),
)
SECRETS_HINT = (
    "Secrets: write ${keyring:NAME} (store it with “keyring set chatdesk NAME”) or "
    "${env:NAME}. They are filled in when the server starts and never saved in clear."
)


def _lines(edit: QPlainTextEdit) -> list[str]:
    return [line.strip() for line in edit.toPlainText().splitlines() if line.strip()]


def _pairs(edit: QPlainTextEdit, sep: str, what: str) -> dict[str, str]:
    return parse_pairs(_lines(edit), sep, what)


class ServerEditor(QDialog):
    """A form for one server; on OK, :attr:`result_id` and :attr:`result_server` hold it."""

    def __init__(
        self,
        taken_ids: Collection[str],
        server_id: str = "",
        server: ServerConfig | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mcpServerEditor")
        self.setWindowTitle("Edit MCP server" if server else "Add MCP server")
        self.setMinimumWidth(560)
        self._taken = set(taken_ids) - {server_id}
        self.result_id = ""
        self.result_server: ServerConfig | None = None

        form = QFormLayout()
        self.id_edit = QLineEdit(server_id, self)
        self.id_edit.setObjectName("serverIdEdit")
        self.id_edit.setPlaceholderText("a short name, e.g. github")
        form.addRow("Name", self.id_edit)
        self.transport = QComboBox(self)
        self.transport.setObjectName("transportCombo")
        for key, label in TRANSPORTS:
            self.transport.addItem(label, key)
        form.addRow("Connects by", self.transport)

        self.pages = QStackedWidget(self)
        stdio = QWidget(self.pages)
        stdio_form = QFormLayout(stdio)
        stdio_form.setContentsMargins(0, 0, 0, 0)
        self.command_edit = QLineEdit(stdio)
        self.command_edit.setObjectName("commandEdit")
        self.command_edit.setPlaceholderText("npx, uvx, docker, or a full path")
        stdio_form.addRow("Command", self.command_edit)
        self.args_edit = QPlainTextEdit(stdio)
        self.args_edit.setObjectName("argsEdit")
        self.args_edit.setPlaceholderText(
            "one argument per line, e.g.\n-y\n@modelcontextprotocol/server-everything"
        )
        self.args_edit.setFixedHeight(84)
        stdio_form.addRow("Arguments", self.args_edit)
        self.env_edit = QPlainTextEdit(stdio)
        self.env_edit.setObjectName("envEdit")
        self.env_edit.setPlaceholderText("NAME=value per line, e.g. GITHUB_TOKEN=${keyring:github}")
        self.env_edit.setFixedHeight(64)
        stdio_form.addRow("Environment", self.env_edit)
        self.cwd_edit = QLineEdit(stdio)
        self.cwd_edit.setObjectName("cwdEdit")
        self.cwd_edit.setPlaceholderText("optional working folder")
        stdio_form.addRow("Working folder", self.cwd_edit)
        remote = QWidget(self.pages)
        remote_form = QFormLayout(remote)
        remote_form.setContentsMargins(0, 0, 0, 0)
        self.url_edit = QLineEdit(remote)
        self.url_edit.setObjectName("urlEdit")
        self.url_edit.setPlaceholderText("https://example.com/mcp")
        remote_form.addRow("URL", self.url_edit)
        self.headers_edit = QPlainTextEdit(remote)
        self.headers_edit.setObjectName("headersEdit")
        self.headers_edit.setPlaceholderText(
            "Name: value per line, e.g.\nAuthorization: Bearer ${keyring:api}"
        )
        self.headers_edit.setFixedHeight(64)
        remote_form.addRow("Headers", self.headers_edit)
        self.pages.addWidget(stdio)
        self.pages.addWidget(remote)
        form.addRow(self.pages)

        self.enabled_box = QCheckBox("Enabled", self)
        self.enabled_box.setObjectName("enabledBox")
        self.enabled_box.setChecked(True)
        form.addRow("", self.enabled_box)
        self.approval_combo = QComboBox(self)
        self.approval_combo.setObjectName("approvalCombo")
        for key, label in APPROVALS:
            self.approval_combo.addItem(label, key)
        form.addRow("Approvals", self.approval_combo)
        self.sampling_combo = QComboBox(self)
        self.sampling_combo.setObjectName("samplingCombo")
        self.sampling_combo.setToolTip(
            "When the server asks the model for a completion (MCP sampling)"
        )
        for key, label in SAMPLING_POLICIES:
            self.sampling_combo.addItem(label, key)
        form.addRow("Sampling requests", self.sampling_combo)
        self.timeout_spin = QDoubleSpinBox(self)
        self.timeout_spin.setObjectName("timeoutSpin")
        self.timeout_spin.setRange(1, 3600)
        self.timeout_spin.setDecimals(0)
        self.timeout_spin.setSuffix(" s")
        self.timeout_spin.setValue(60)
        form.addRow("Call timeout", self.timeout_spin)

        hint = QLabel(SECRETS_HINT, self)
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("editorError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setStyleSheet("color: #d1242f")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.transport.currentIndexChanged.connect(self._transport_changed)
        if server is not None:
            self._fill(server)
        self._transport_changed()

    def _fill(self, server: ServerConfig) -> None:
        self.transport.setCurrentIndex(max(0, self.transport.findData(server.type)))
        self.enabled_box.setChecked(server.enabled)
        self.approval_combo.setCurrentIndex(max(0, self.approval_combo.findData(server.approval)))
        self.sampling_combo.setCurrentIndex(max(0, self.sampling_combo.findData(server.sampling)))
        self.timeout_spin.setValue(server.timeout_s)
        if isinstance(server, StdioServerConfig):
            self.command_edit.setText(server.command)
            self.args_edit.setPlainText("\n".join(server.args))
            self.env_edit.setPlainText("\n".join(f"{k}={v}" for k, v in server.env.items()))
            self.cwd_edit.setText(server.cwd or "")
        elif isinstance(server, RemoteServerConfig):
            self.url_edit.setText(server.url)
            self.headers_edit.setPlainText(
                "\n".join(f"{k}: {v}" for k, v in server.headers.items())
            )

    def _transport_changed(self) -> None:
        self.pages.setCurrentIndex(0 if self.transport.currentData() == "stdio" else 1)

    def raw(self) -> dict[str, Any]:
        """The entry as it would be written in the file (before validation)."""
        kind = self.transport.currentData()
        raw: dict[str, Any] = {
            "enabled": self.enabled_box.isChecked(),
            "approval": self.approval_combo.currentData(),
            "sampling": self.sampling_combo.currentData(),
            "timeout_s": self.timeout_spin.value(),
        }
        if kind == "stdio":
            raw["command"] = self.command_edit.text().strip()
            raw["args"] = [line for line in self.args_edit.toPlainText().splitlines() if line]
            raw["env"] = _pairs(self.env_edit, "=", "Environment")
            if self.cwd_edit.text().strip():
                raw["cwd"] = self.cwd_edit.text().strip()
        else:
            raw["type"] = kind
            raw["url"] = self.url_edit.text().strip()
            raw["headers"] = _pairs(self.headers_edit, ":", "Headers")
        return raw

    def accept(self) -> None:
        """Validate; stay open with the reason when something is wrong."""
        server_id = self.id_edit.text()
        try:
            problem = server_id_problem(server_id)
            if problem is not None:
                raise MCPConfigError(problem.replace("a server has an empty id", "give it a name"))
            if server_id in self._taken:
                raise MCPConfigError(f"a server named {server_id!r} already exists")
            server = parse_server(server_id, self.raw())
        except MCPConfigError as exc:
            self.error_label.setText(exc.user_message)
            self.error_label.show()
            return
        self.result_id, self.result_server = server_id, server
        super().accept()
