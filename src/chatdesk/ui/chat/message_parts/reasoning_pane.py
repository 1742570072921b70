"""A message's reasoning: plain text behind a thin bar, opened and closed by its toggle."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPalette, QTextCursor
from PySide6.QtWidgets import QFrame, QToolButton, QVBoxLayout, QWidget

from chatdesk.ui.chat.message_parts.message_body import MessageBody
from chatdesk.ui.kit.colors import mix
from chatdesk.ui.kit.flat_button import flat_button

__all__ = ["ReasoningPane", "reasoning_toggle"]


def reasoning_toggle(parent: QWidget) -> QToolButton:
    """The "Reasoning" expander a message shows above its pane (checked: open)."""
    toggle = flat_button(parent, "Reasoning", "Show reasoning", "reasoningToggle", icon_only=False)
    toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toggle.setCheckable(True)
    toggle.setArrowType(Qt.ArrowType.RightArrow)
    # Looks like a link, not a button; no colours here (they come from the palette).
    toggle.setStyleSheet("QToolButton { border: none; background: transparent; padding: 1px; }")
    return toggle


class ReasoningPane(QFrame):
    """Reasoning text behind a thin bar on the left, hidden until ``toggle`` opens it (the
    message connects the toggle to ``set_expanded``)."""

    def __init__(self, toggle: QToolButton, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reasoningPane")
        self.toggle = toggle
        self._cursor: QTextCursor | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 2, 0, 8)
        self.body = MessageBody(self)
        self.body.setObjectName("reasoningBody")
        self.body.setAccessibleName("Reasoning")
        layout.addWidget(self.body)
        self.hide()

    @property
    def text(self) -> str:
        """The reasoning shown."""
        return self.body.toPlainText()

    @property
    def expanded(self) -> bool:
        """Whether the reasoning is shown."""
        return not self.isHidden()

    def set_text(self, text: str) -> None:
        """Show ``text`` (the toggle hides while there is none)."""
        self.body.setPlainText(text)
        self.toggle.setVisible(bool(text))

    def clear(self) -> None:
        """Forget the text (a stream starts again)."""
        self.body.clear()
        self._cursor = None

    def append(self, text: str) -> None:
        """Add streamed reasoning at the end."""
        if self._cursor is None:
            self._cursor = QTextCursor(self.body.document())
        self._cursor.movePosition(QTextCursor.MoveOperation.End)
        self._cursor.insertText(text)

    def end_stream(self) -> None:
        """The stream is over: the next append starts from a new cursor."""
        self._cursor = None

    def set_expanded(self, expanded: bool, *, thinking: bool) -> None:
        """Open or close (what the toggle asked), then update the toggle."""
        self.setVisible(expanded)
        self.update_toggle(thinking=thinking)

    def update_toggle(self, *, thinking: bool) -> None:
        """The toggle's arrow, text and accessible name (``thinking``: the answer has not
        started yet, the toggle says "Thinking…")."""
        toggle = self.toggle
        expanded = toggle.isChecked()
        toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        toggle.setText("Thinking…" if thinking else "Reasoning")
        toggle.setAccessibleName("Hide reasoning" if expanded else "Show reasoning")
        toggle.setToolTip(toggle.accessibleName())

    def restyle(self, small: QFont, muted: QColor) -> None:
        """The toggle and the text in the small font and the muted colour."""
        self.toggle.setFont(small)
        tp = self.toggle.palette()
        tp.setColor(QPalette.ColorRole.ButtonText, muted)
        self.toggle.setPalette(tp)
        self.body.setFont(small)
        bp = self.body.palette()
        bp.setColor(QPalette.ColorRole.Text, muted)
        self.body.setPalette(bp)

    def paintEvent(self, e: QPaintEvent) -> None:
        pal = self.palette()
        color = mix(pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text), 0.18)
        p = QPainter(self)
        p.fillRect(QRectF(1, 2, 2, self.height() - 4), color)
