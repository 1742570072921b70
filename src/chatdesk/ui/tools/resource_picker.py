"""ResourcePicker ("+" › From a server…): the MCP servers' resources and resource templates,
searchable; a chosen one (a template filled in) is attached to the message."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.mcp.resources import ServerResource

__all__ = ["ResourcePicker"]

_INDEX = Qt.ItemDataRole.UserRole


class ResourcePicker(QDialog):
    """Lists ``resources``; ``chosen(resource, uri)`` once one is picked."""

    chosen = Signal(object, str)  # ServerResource, the uri to read

    def __init__(self, resources: Sequence[ServerResource], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resourcePicker")
        self.setWindowTitle("Attach from a server")
        self.resize(560, 420)
        self._resources = list(resources)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Find a resource by name, address or server…")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setObjectName("resourceList")
        self.list.itemActivated.connect(self._pick)
        self.list.itemDoubleClicked.connect(self._pick)
        self.note = QLabel(self)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Attach")
        buttons.accepted.connect(lambda: self._pick(self.list.currentItem()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self._fill)
        self.search.installEventFilter(self)
        self._fill()

    def _fill(self) -> None:
        self.list.clear()
        query = self.search.text()
        for index, resource in enumerate(self._resources):
            if not resource.matches(query):
                continue
            label = resource.label + ("  (fill in)" if resource.template else "")
            item = QListWidgetItem(label, self.list)
            item.setData(_INDEX, index)
            item.setToolTip(f"{resource.uri}\n{resource.description}".strip())
        self.list.setCurrentRow(0)
        shown = self.list.count()
        self.note.setText(f"{shown} of {len(self._resources)}" if shown else "No resource matches.")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and isinstance(event, QKeyEvent):
            if event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Up,
                Qt.Key.Key_Down,
            ):
                step = -1 if event.key() == Qt.Key.Key_Up else 1
                row = min(max(self.list.currentRow() + step, 0), self.list.count() - 1)
                self.list.setCurrentRow(row)
                return True
            if event.type() == QEvent.Type.KeyPress and event.key() in (
                Qt.Key.Key_Return,
                Qt.Key.Key_Enter,
            ):
                self._pick(self.list.currentItem())
                return True
        return super().eventFilter(watched, event)

    def _pick(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        resource = self._resources[int(item.data(_INDEX))]
        uri = resource.uri
        if resource.template:
            uri, ok = QInputDialog.getText(
                self, "Fill in the address", f"{resource.label}\n{resource.description}", text=uri
            )
            if not ok or not uri.strip() or "{" in uri:
                return
        self.accept()
        self.chosen.emit(resource, uri.strip())
