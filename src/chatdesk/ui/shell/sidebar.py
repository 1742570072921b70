"""The sidebar: conversations newest first (pinned on top), a filter box, and their actions."""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.models import Conversation
from chatdesk.ui.kit.formatting import format_age

ID_ROLE = Qt.ItemDataRole.UserRole
PINNED_ROLE = Qt.ItemDataRole.UserRole + 1


class SessionList(QListWidget):
    """The conversations; text typed here is handed on (``typed``) instead of searched for."""

    typed = Signal(str)

    def keyPressEvent(self, e: QKeyEvent) -> None:
        text = e.text()
        plain = e.modifiers() & ~(
            Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
        )
        if text and text.isprintable() and plain == Qt.KeyboardModifier.NoModifier:
            self.typed.emit(text)
            return
        super().keyPressEvent(e)


class Sidebar(QWidget):
    """Conversation list with filter, new chat, rename, pin and delete."""

    newRequested = Signal()
    openRequested = Signal(int)
    renameRequested = Signal(int, str)
    pinRequested = Signal(int, bool)
    deleteRequested = Signal(int)
    filterChanged = Signal(str)
    #: Text typed while the list had focus: it belongs in the composer, not in a type-ahead.
    typedAway = Signal(str)
    #: "Export…" from the list's menu: the ids of the selected chats, or of the one clicked.
    exportRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.new_button = QPushButton("+  New chat", self)
        self.new_button.setObjectName("newChatButton")
        self.new_button.setAccessibleName("New chat")
        self.new_button.setToolTip("New chat (Ctrl+N)")
        self.search = QLineEdit(self)
        self.search.setObjectName("sessionSearch")
        self.search.setAccessibleName("Search conversations")
        self.search.setPlaceholderText("Search chats…")
        self.search.setClearButtonEnabled(True)
        self.list = SessionList(self)
        self.list.typed.connect(self.typedAway)
        self.list.setObjectName("sessionList")
        self.list.setAccessibleName("Conversations")
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setUniformItemSizes(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setWordWrap(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)

        top = QHBoxLayout()
        top.addWidget(self.new_button, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(lambda: self.filterChanged.emit(self.search.text()))
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.new_button.clicked.connect(self.newRequested)
        self.list.itemActivated.connect(self._activated)
        self.list.itemClicked.connect(self._activated)
        self.list.customContextMenuRequested.connect(self._menu)
        self._current: int | None = None

    # -- contents ------------------------------------------------------------------------

    def set_conversations(self, conversations: Sequence[Conversation]) -> None:
        """Replace the list, keeping the current conversation selected."""
        self.list.blockSignals(True)
        self.list.clear()
        now = time.time()
        for conv in conversations:
            label = f"📌 {conv.title}" if conv.pinned else conv.title
            item = QListWidgetItem(label)
            item.setData(ID_ROLE, conv.id)
            item.setData(PINNED_ROLE, conv.pinned)
            tip = f"{conv.title}\nLast active {format_age(now - conv.updated_at)}"
            if conv.summary:
                tip += f"\n\n{conv.summary}"
            item.setToolTip(tip)
            self.list.addItem(item)
            if conv.id == self._current:
                item.setSelected(True)
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)

    def set_current(self, conversation_id: int | None) -> None:
        """Highlight the open conversation (None: a new, unsaved chat)."""
        self._current = conversation_id
        self.list.blockSignals(True)
        self.list.clearSelection()
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ID_ROLE) == conversation_id:
                self.list.setCurrentItem(item)
                item.setSelected(True)
        self.list.blockSignals(False)

    def conversation_ids(self) -> list[int]:
        return [int(self.list.item(r).data(ID_ROLE)) for r in range(self.list.count())]

    # -- actions -------------------------------------------------------------------------

    def selected_ids(self) -> tuple[int, ...]:
        """The chats selected in the list, top to bottom."""
        rows = sorted(self.list.row(item) for item in self.list.selectedItems())
        return tuple(int(self.list.item(r).data(ID_ROLE)) for r in rows)

    def _activated(self, item: QListWidgetItem) -> None:
        modifiers = QApplication.keyboardModifiers()
        selecting = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        if modifiers & selecting and len(self.list.selectedItems()) > 1:
            return  # Ctrl+click or Shift+click selects more chats; it does not open one
        conversation_id = int(item.data(ID_ROLE))
        if conversation_id != self._current:
            self._current = conversation_id
            self.openRequested.emit(conversation_id)

    def _menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        conversation_id = int(item.data(ID_ROLE))
        pinned = bool(item.data(PINNED_ROLE))
        menu = QMenu(self)
        menu.addAction("Rename…", lambda: self.rename(conversation_id))
        menu.addAction(
            "Unpin" if pinned else "Pin to top",
            lambda: self.pinRequested.emit(conversation_id, not pinned),
        )
        selected = self.selected_ids()
        chosen = (
            selected if conversation_id in selected and len(selected) > 1 else (conversation_id,)
        )
        label = "Export this chat…" if len(chosen) == 1 else f"Export {len(chosen)} chats…"
        menu.addAction(label, lambda: self.exportRequested.emit(chosen))
        menu.addSeparator()
        menu.addAction("Delete…", lambda: self.delete(conversation_id))
        menu.exec(self.list.viewport().mapToGlobal(pos))
        if len(chosen) == 1:  # the right click selected it; the open chat is still the same
            self.set_current(self._current)

    def _title_of(self, conversation_id: int) -> str:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(ID_ROLE) == conversation_id:
                return item.toolTip().split("\n", 1)[0]
        return ""

    def rename(self, conversation_id: int) -> None:
        """Ask for a new title."""
        title, ok = QInputDialog.getText(
            self,
            "Rename chat",
            "New title:",
            QLineEdit.EchoMode.Normal,
            self._title_of(conversation_id),
        )
        if ok and title.strip():
            self.renameRequested.emit(conversation_id, title.strip())

    def delete(self, conversation_id: int) -> None:
        """Confirm, then delete."""
        title = self._title_of(conversation_id)
        answer = QMessageBox.question(
            self,
            "Delete chat",
            f"Delete “{title}” and all its messages? Only a backup made before now can bring it"
            " back (File › Backups and restore…).",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.deleteRequested.emit(conversation_id)
