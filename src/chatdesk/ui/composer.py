"""The composer: multi-line input, Enter sends, Shift+Enter breaks the line, Esc stops."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

MIN_LINES = 2
MAX_LINES = 10


class ComposerEdit(QPlainTextEdit):
    """The text field; grows with its content up to ``MAX_LINES``."""

    submitted = Signal()
    stopRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.setAccessibleName("Message")
        self.setPlaceholderText("Message the model…  (Enter to send, Shift+Enter for a new line)")
        self.setTabChangesFocus(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().contentsChanged.connect(self._fit_height)
        self._fit_height()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        mods = event.modifiers()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            plain = mods & ~Qt.KeyboardModifier.KeypadModifier
            if plain == Qt.KeyboardModifier.NoModifier:
                self.submitted.emit()
                event.accept()
                return
            if mods & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
                event.accept()
                return
        if key == Qt.Key.Key_Escape:
            self.stopRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def _fit_height(self) -> None:
        line = self.fontMetrics().lineSpacing()
        lines = max(MIN_LINES, min(MAX_LINES, self.document().size().toSize().height() or 1))
        margins = self.contentsMargins()
        frame = int(self.document().documentMargin() * 2) + margins.top() + margins.bottom()
        self.setFixedHeight(lines * line + frame + 2)


class Composer(QWidget):
    """The input row: the text field, Send and Stop."""

    sendRequested = Signal(str)
    stopRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composerPanel")
        self.edit = ComposerEdit(self)
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setAccessibleName("Send message")
        self.send_button.setToolTip("Send (Enter)")
        self.send_button.setDefault(True)
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setAccessibleName("Stop the answer")
        self.stop_button.setToolTip("Stop (Esc)")
        self.stop_button.hide()

        buttons = QVBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 12, 12)
        row.setSpacing(8)
        row.addWidget(self.edit, 1)
        row.addLayout(buttons)

        self._busy = False
        self.edit.textChanged.connect(self._update_send)
        self.edit.submitted.connect(self.submit)
        self.edit.stopRequested.connect(self.stopRequested)
        self.send_button.clicked.connect(self.submit)
        self.stop_button.clicked.connect(self.stopRequested)
        self._update_send()

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the text (e.g. restore a draft) and put the cursor at its end."""
        self.edit.setPlainText(text)
        self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)

    def submit(self) -> None:
        """Send the text unless it is blank or an answer is streaming."""
        text = self.text()
        if self._busy or not text.strip():
            return
        self.sendRequested.emit(text)

    def clear_after_send(self) -> None:
        self.edit.clear()
        self.edit.setFocus()

    def set_busy(self, busy: bool) -> None:
        """While an answer streams: Stop shown, Send hidden; typing stays possible."""
        self._busy = busy
        self.stop_button.setVisible(busy)
        self.send_button.setVisible(not busy)
        self._update_send()

    def _update_send(self) -> None:
        self.send_button.setEnabled(not self._busy and bool(self.text().strip()))
