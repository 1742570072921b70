"""Where a compaction summary stands in for earlier messages: collapsed, with Show and Undo."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from chatdesk.core.models import Summary
from chatdesk.ui.kit.colors import muted_color

__all__ = ["SummaryMarker"]


class SummaryMarker(QFrame):
    """ "Earlier messages summarised — show": the summary requests send instead of them."""

    undoRequested = Signal(int)  # the summary's id

    def __init__(self, summary: Summary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryMarker")
        self.summary = summary
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("summaryToggle")
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toggle.setText("Earlier messages summarised — show")
        self.toggle.setToolTip(
            "Requests send this summary instead of the messages above it; they stay here and in"
            " search."
        )
        self.undo = QToolButton(self)
        self.undo.setObjectName("summaryUndo")
        self.undo.setAutoRaise(True)
        self.undo.setText("Undo")
        self.undo.setToolTip("Send the original messages again instead of the summary")
        self.text = QLabel(summary.content, self)
        self.text.setObjectName("summaryText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.hide()
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.toggle)
        head.addStretch(1)
        head.addWidget(self.undo)
        column = QVBoxLayout(self)
        column.setContentsMargins(10, 4, 10, 4)
        column.addLayout(head)
        column.addWidget(self.text)
        self.toggle.toggled.connect(self._show_text)
        self.undo.clicked.connect(lambda: self.undoRequested.emit(self.summary.id))
        self._restyle()

    @property
    def expanded(self) -> bool:
        """The summary's text shows."""
        return not self.text.isHidden()

    def _show_text(self, shown: bool) -> None:
        self.text.setVisible(shown)
        self.toggle.setText(f"Earlier messages summarised — {'hide' if shown else 'show'}")

    def _restyle(self) -> None:
        muted = muted_color(self.palette()).name()
        self.toggle.setStyleSheet(f"color: {muted};")
        self.undo.setStyleSheet(f"color: {muted};")
        self.setStyleSheet(
            "#summaryMarker { border-top: 1px dashed palette(mid);"
            " border-bottom: 1px dashed palette(mid); }"
        )

    def changeEvent(self, event: QEvent) -> None:
        """Follow theme switches."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._restyle()
