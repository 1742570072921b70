"""Editing a question in place: Enter sends it as a new branch, Esc keeps the old one."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from chatdesk.ui.kit.enter_keys import EnterKey, enter_key

__all__ = ["MessageEditor"]

MAX_LINES = 12


class _EditorText(QPlainTextEdit):
    """The text: Enter saves, Shift+Enter adds a line, Esc cancels."""

    saveRequested = Signal()
    cancelRequested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        meaning = enter_key(event)
        if meaning is EnterKey.SEND:
            self.saveRequested.emit()
        elif meaning is EnterKey.NEW_LINE:
            self.insertPlainText("\n")
        elif meaning is EnterKey.ESCAPE:
            self.cancelRequested.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()


class MessageEditor(QWidget):
    """An editable copy of a question with Send and Cancel."""

    saved = Signal(str)
    cancelled = Signal()

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageEditor")
        self.original = text
        self.text_edit = _EditorText(self)
        self.text_edit.setObjectName("messageEditorText")
        self.text_edit.setAccessibleName("Edit your message")
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setPlainText(text)
        self.text_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.text_edit.document().contentsChanged.connect(self._changed)
        hint = QLabel("Enter sends it as a new branch · Shift+Enter adds a line · Esc cancels")
        hint.setObjectName("editorHint")
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("editorSend")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("editorCancel")
        for button in (self.send_button, self.cancel_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(hint, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.send_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(6)
        column.addWidget(self.text_edit)
        column.addLayout(buttons)
        self.text_edit.saveRequested.connect(self.save)
        self.text_edit.cancelRequested.connect(self.cancelled)
        self.send_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.cancelled)
        self._changed()

    def text(self) -> str:
        """The text as edited."""
        return self.text_edit.toPlainText()

    def start(self) -> None:
        """Focus the text with the cursor at its end."""
        self.text_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.text_edit.moveCursor(QTextCursor.MoveOperation.End)

    def save(self) -> None:
        """Send the edited text (never an empty one)."""
        if self.text().strip():
            self.saved.emit(self.text())

    def _changed(self) -> None:
        self.send_button.setEnabled(bool(self.text().strip()))
        lines = max(1, min(self.text_edit.document().lineCount(), MAX_LINES))
        metrics = self.text_edit.fontMetrics()
        margins = self.text_edit.contentsMargins()
        frame = 2 * self.text_edit.frameWidth() + margins.top() + margins.bottom()
        doc_margin = 2 * int(self.text_edit.document().documentMargin())
        self.text_edit.setFixedHeight(lines * metrics.lineSpacing() + frame + doc_margin + 2)
