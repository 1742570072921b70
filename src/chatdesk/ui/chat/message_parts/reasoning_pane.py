"""A message's reasoning: plain text behind a thin bar, opened and closed by its toggle."""

from __future__ import annotations

from collections.abc import Callable

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
    """Reasoning text behind a thin bar on the left, hidden until ``toggle`` opens it;
    ``thinking()`` tells whether the answer has not started yet (the toggle says so)."""

    def __init__(
        self, toggle: QToolButton, thinking: Callable[[], bool], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reasoningPane")
        self.toggle = toggle
        self._thinking = thinking
        self._cursor: QTextCursor | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 2, 0, 8)
        self.body = MessageBody(self)
        self.body.setObjectName("reasoningBody")
        self.body.setAccessibleName("Reasoning")
        layout.addWidget(self.body)
        self.hide()
        toggle.toggled.connect(self._on_toggled)

    def place(self, layout: QVBoxLayout, index: int) -> None:
        """Show the toggle, then the (closed) pane, at ``index`` of the message's layout."""
        layout.insertWidget(index, self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.insertWidget(index + 1, self)
        self.toggle.show()
        self.update_toggle()

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

    def update_toggle(self) -> None:
        """The toggle's arrow, text ("Thinking…" until the answer starts) and accessible name."""
        toggle = self.toggle
        expanded = toggle.isChecked()
        toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        toggle.setText("Thinking…" if self._thinking() else "Reasoning")
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

    def _on_toggled(self, expanded: bool) -> None:
        self.setVisible(expanded)
        self.update_toggle()
