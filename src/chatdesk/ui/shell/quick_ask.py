"""QuickAskWindow: a small frameless window on top of everything, to ask one thing fast.

A field to type in (Enter asks, Shift+Enter adds a line), the answer streaming below it; Esc
hides the window; Ctrl+Enter continues the chat in the main window. What was typed is only
cleared once the question was taken (:meth:`taken`); otherwise it stays, with the reason.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QTextCursor
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QTextBrowser, QVBoxLayout, QWidget

from chatdesk.ui.kit.colors import muted_color

__all__ = ["QuickAskWindow"]


class _Field(QPlainTextEdit):
    """Enter asks, Shift+Enter adds a line, Ctrl+Enter continues, Esc hides."""

    ask = Signal()
    carry_on = Signal()
    dismiss = Signal()

    def keyPressEvent(self, e: QKeyEvent) -> None:
        enter = e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and e.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.carry_on.emit()
        elif enter and not e.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.ask.emit()
        elif e.key() == Qt.Key.Key_Escape:
            self.dismiss.emit()
        else:
            super().keyPressEvent(e)


class QuickAskWindow(QWidget):
    """See the module docstring."""

    askRequested = Signal(str)
    continueRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent,
            Qt.WindowType.Window
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.Tool,
        )
        self.setObjectName("quickAsk")
        self.setWindowTitle("chatdesk — quick ask")
        self.resize(620, 120)
        frame = QFrame(self)
        frame.setObjectName("quickAskFrame")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        column = QVBoxLayout(frame)
        column.setContentsMargins(14, 12, 14, 10)
        column.setSpacing(8)
        self.field = _Field(frame)
        self.field.setObjectName("quickAskField")
        self.field.setPlaceholderText("Ask anything…")
        self.field.setFixedHeight(self.field.fontMetrics().lineSpacing() * 3 + 14)
        self.field.setTabChangesFocus(True)
        column.addWidget(self.field)
        self.question = QLabel(frame)
        self.question.setObjectName("quickAskQuestion")
        self.question.setWordWrap(True)
        self.question.setTextFormat(Qt.TextFormat.PlainText)
        font = self.question.font()
        font.setBold(True)
        self.question.setFont(font)
        self.question.hide()
        column.addWidget(self.question)
        self.answer = QTextBrowser(frame)
        self.answer.setObjectName("quickAskAnswer")
        self.answer.setOpenExternalLinks(True)
        self.answer.setMinimumHeight(160)
        self.answer.hide()
        column.addWidget(self.answer, 1)
        self.hint = QLabel(
            "Enter asks · Shift+Enter new line · Ctrl+Enter continues in chatdesk · Esc hides",
            frame,
        )
        self.hint.setObjectName("quickAskHint")
        self.hint.setStyleSheet(f"color: {muted_color(self.palette()).name()}")
        column.addWidget(self.hint)
        self.field.ask.connect(self._ask)
        self.field.carry_on.connect(self.continueRequested)
        self.field.dismiss.connect(self.hide)
        self._streamed = ""

    # --- what the app tells it ---------------------------------------------------------------

    def present(self) -> None:
        """Show it in the upper third of the screen, ready to type."""
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(area.center().x() - self.width() // 2, area.top() + area.height() // 5)
        self.show()
        self.raise_()
        self.activateWindow()
        self.field.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def taken(self, question: str) -> None:
        """The question was taken: it moves above the answer area, the field empties."""
        self.question.setText(question.strip())
        self.question.show()
        self.field.clear()
        self._streamed = ""
        self.answer.clear()
        self.answer.setPlaceholderText("Thinking…")
        self._open_answer()

    def refused(self, why: str) -> None:
        """The question could not be asked: it stays in the field, with why."""
        self.answer.setPlainText(why)
        self._open_answer()

    def append(self, text: str) -> None:
        """More of the answer."""
        self._streamed += text
        cursor = self.answer.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)

    def finish(self, html: str) -> None:
        """The answer, complete and formatted."""
        self.answer.setHtml(html)

    def failed(self, why: str) -> None:
        self.answer.setPlainText(f"{self._streamed}\n\n⚠ {why}" if self._streamed else f"⚠ {why}")

    @property
    def streamed(self) -> str:
        return self._streamed

    def _open_answer(self) -> None:
        if not self.answer.isVisible():
            self.answer.show()
            self.resize(self.width(), 420)

    def _ask(self) -> None:
        text = self.field.toPlainText()
        if text.strip():
            self.askRequested.emit(text)
