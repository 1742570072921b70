"""ToolActivityWindow (Tools › Tool activity): the ledger of tool calls with filters, its
export as CSV or JSON, and every grant that lets a tool run without asking, revocable.

The window never awaits: it says what to load (``filterChanged``), what to export and what
to revoke, and shows what it is given.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.mcp.grants import Grant
from chatdesk.storage.ledger import DECISIONS, LedgerEntry, LedgerFilter

__all__ = ["ToolActivityWindow"]

_DAY = 24 * 3600
_STATUSES = (("Any outcome", None), ("Ran", "ok"), ("Failed", "error"), ("Denied", "denied"))
_PERIODS = (("Any time", 0), ("Today", 1), ("Past 7 days", 7), ("Past 30 days", 30))
_KINDS = {
    "always": "Always",
    "conversation": "This conversation",
    "server": "Server policy",
    "preset": "Preset",
}
_ROW = Qt.ItemDataRole.UserRole


def _tool(entry: LedgerEntry) -> str:
    """The tool's own name (the model sees it as ``<server>__<tool>``)."""
    prefix = f"{entry.server_id}__" if entry.server_id else ""
    name = entry.tool_name
    return name[len(prefix) :] if prefix and name.startswith(prefix) else name


def _outcome(entry: LedgerEntry) -> str:
    """How a call (or a server's request) ended, in a word."""
    if entry.kind != "tool":  # sampling, elicitation
        words = {"ok": "answered", "withheld": "not sent", "error": "failed"}
        return words.get(entry.status, entry.status)
    return {"ok": "ran", "error": "failed", "denied": "denied"}.get(entry.status, entry.status)


def _duration(ms: float | None) -> str:
    if ms is None:
        return ""
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


class ToolActivityWindow(QDialog):
    """The ledger and the grants."""

    filterChanged = Signal(object)  # LedgerFilter
    exportRequested = Signal(str)  # "csv" or "json": the calls shown
    revokeRequested = Signal(object)  # Grant

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toolActivity")
        self.setWindowTitle("Tool activity")
        self.resize(900, 560)
        self._entries: list[LedgerEntry] = []
        self._grants: list[Grant] = []
        tabs = QTabWidget(self)
        tabs.addTab(self._calls_tab(), "&Calls")
        tabs.addTab(self._grants_tab(), "&Grants")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs, 1)
        layout.addWidget(close)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(lambda: self.filterChanged.emit(self.current_filter()))

    # -- calls ----------------------------------------------------------------------------------

    def _calls_tab(self) -> QWidget:
        page = QWidget(self)
        self.search = QLineEdit(page)
        self.search.setPlaceholderText("Find a tool, a server or words in the arguments…")
        self.search.setClearButtonEnabled(True)
        self.server = QComboBox(page)
        self.server.setAccessibleName("Server")
        self.server.addItem("Every server", None)
        self.outcome = QComboBox(page)
        self.outcome.setAccessibleName("Outcome")
        for label, value in _STATUSES:
            self.outcome.addItem(label, value)
        self.period = QComboBox(page)
        self.period.setAccessibleName("When")
        for label, days in _PERIODS:
            self.period.addItem(label, days)
        row = QHBoxLayout()
        row.addWidget(self.search, 1)
        for combo in (self.server, self.outcome, self.period):
            row.addWidget(combo)
            combo.currentIndexChanged.connect(lambda _i: self._debounce.start())
        self.search.textChanged.connect(lambda _t: self._debounce.start())

        self.calls = QTreeWidget(page)
        self.calls.setObjectName("ledgerTable")
        self.calls.setRootIsDecorated(False)
        self.calls.setUniformRowHeights(True)
        self.calls.setHeaderLabels(
            ["When", "Chat", "Server", "Tool", "Who decided", "Outcome", "Ran for", "Result"]
        )
        self.calls.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.calls.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.calls.currentItemChanged.connect(lambda *_: self._show_details())
        self.details = QPlainTextEdit(page)
        self.details.setObjectName("ledgerDetails")
        self.details.setReadOnly(True)
        self.details.setPlaceholderText("Choose a call to see its full arguments.")
        split = QSplitter(Qt.Orientation.Vertical, page)
        split.addWidget(self.calls)
        split.addWidget(self.details)
        split.setSizes([360, 120])

        self.count = QLabel(page)
        csv_button = QPushButton("Export &CSV…", page)
        json_button = QPushButton("Export &JSON…", page)
        csv_button.clicked.connect(lambda: self.exportRequested.emit("csv"))
        json_button.clicked.connect(lambda: self.exportRequested.emit("json"))
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(csv_button)
        bottom.addWidget(json_button)

        layout = QVBoxLayout(page)
        layout.addLayout(row)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        return page

    def current_filter(self) -> LedgerFilter:
        """The ledger filter the controls say."""
        days = int(self.period.currentData() or 0)
        since = None
        if days:
            now = time.localtime()
            since = time.mktime((*now[:3], 0, 0, 0, 0, 0, -1)) - (days - 1) * _DAY
        return LedgerFilter(
            text=self.search.text(),
            server_id=self.server.currentData(),
            status=self.outcome.currentData(),
            since=since,
        )

    def set_servers(self, servers: Sequence[str]) -> None:
        """The servers the filter offers (the choice is kept)."""
        chosen = self.server.currentData()
        self.server.blockSignals(True)
        self.server.clear()
        self.server.addItem("Every server", None)
        for server in servers:
            self.server.addItem(server, server)
        self.server.setCurrentIndex(max(self.server.findData(chosen), 0))
        self.server.blockSignals(False)

    def show_entries(self, entries: Sequence[LedgerEntry]) -> None:
        """The calls the filter found, newest first."""
        self._entries = list(entries)
        self.calls.clear()
        for index, e in enumerate(entries):
            item = QTreeWidgetItem(
                [
                    time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e.started_at)),
                    e.conversation_title,
                    e.server_id or "",
                    _tool(e),
                    e.decision or "",
                    _outcome(e),
                    _duration(e.duration_ms),
                    "" if e.result_chars is None else f"{e.result_chars:,} chars",
                ]
            )
            item.setData(0, _ROW, index)
            item.setToolTip(4, DECISIONS.get(e.decision or "", "recorded before the ledger"))
            self.calls.addTopLevelItem(item)
        for column in range(8):
            self.calls.resizeColumnToContents(column)
        shown = len(entries)
        self.count.setText(
            f"{shown:,} call{'s' if shown != 1 else ''}"
            if shown
            else "No tool calls match."
            if self.current_filter() != LedgerFilter()
            else "No tool calls yet: each call a model makes is recorded here."
        )
        first = self.calls.topLevelItem(0)
        if first is not None:
            self.calls.setCurrentItem(first)
        else:
            self.details.clear()

    def entries(self) -> list[LedgerEntry]:
        """The calls shown (what an export writes)."""
        return list(self._entries)

    def _show_details(self) -> None:
        item = self.calls.currentItem()
        if item is None:
            return
        e = self._entries[int(item.data(0, _ROW))]
        lines = [f"{e.server_id or '?'} › {_tool(e)}", "", e.arguments]
        if e.error:
            lines += ["", f"Error: {e.error}"]
        self.details.setPlainText("\n".join(lines))

    # -- grants ---------------------------------------------------------------------------------

    def _grants_tab(self) -> QWidget:
        page = QWidget(self)
        intro = QLabel(
            "What lets a tool run without asking. Revoke one and that tool asks again.", page
        )
        intro.setWordWrap(True)
        self.grants = QTreeWidget(page)
        self.grants.setObjectName("grantsTable")
        self.grants.setRootIsDecorated(False)
        self.grants.setHeaderLabels(["Kind", "Server", "Tool", "What", "Since"])
        self.revoke_button = QPushButton("&Revoke", page)
        self.revoke_button.setObjectName("revokeGrant")
        self.revoke_button.setEnabled(False)
        self.grants.itemSelectionChanged.connect(
            lambda: self.revoke_button.setEnabled(bool(self.grants.selectedItems()))
        )
        self.revoke_button.clicked.connect(self._revoke)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.revoke_button)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addWidget(self.grants, 1)
        layout.addLayout(row)
        return page

    def show_grants(self, grants: Sequence[Grant]) -> None:
        """Every grant now in force."""
        self._grants = list(grants)
        self.grants.clear()
        for index, g in enumerate(grants):
            since = time.strftime("%Y-%m-%d %H:%M", time.localtime(g.since)) if g.since else ""
            item = QTreeWidgetItem(
                [_KINDS[g.kind], g.server_id, g.tool_name or "every tool", g.what, since]
            )
            item.setData(0, _ROW, index)
            self.grants.addTopLevelItem(item)
        for column in range(5):
            self.grants.resizeColumnToContents(column)
        if not grants:
            empty = QTreeWidgetItem(["", "", "", "No grants: every tool asks before it runs."])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.grants.addTopLevelItem(empty)

    def _revoke(self) -> None:
        items = self.grants.selectedItems()
        index = items[0].data(0, _ROW) if items else None
        if index is not None:
            self.revokeRequested.emit(self._grants[int(index)])
