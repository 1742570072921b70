"""ImportDialog: an import's progress (count, rate, how much of the file is read, Cancel) and,
at the end, its report: what was imported, and each chat skipped with the reason."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from chatdesk.history.importer import ImportProgress
    from chatdesk.history.model import ImportReport


__all__ = ["ImportDialog"]


class ImportDialog(QDialog):
    """Shows one import; ``cancelRequested`` when the user stops it, ``openRequested(id)`` to
    open the first imported chat from the report."""

    cancelRequested = Signal()
    openRequested = Signal(int)

    def __init__(self, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import chats")
        self.setMinimumWidth(480)
        self._first: int | None = None
        self.heading = QLabel(f"Importing <b>{path.name}</b>…", self)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy until the first conversation is in
        self.counts = QLabel("Reading the file…", self)
        self.counts.setObjectName("importCounts")
        self.details = QPlainTextEdit(self)
        self.details.setObjectName("importDetails")
        self.details.setReadOnly(True)
        self.details.hide()
        self.buttons = QDialogButtonBox(self)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self._cancel)
        self.open_button = QPushButton("Open the first imported chat", self)
        self.open_button.clicked.connect(self._open)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.bar)
        layout.addWidget(self.counts)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.buttons)
        self.buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.hide()  # until the report says which chat came first

    def show_progress(self, progress: ImportProgress) -> None:
        """Update the counts, the rate and the bar."""
        if progress.total_bytes > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * progress.bytes_read / progress.total_bytes))
        rate = progress.rate(time.monotonic())
        self.counts.setText(
            f"{progress.conversations:,} chats · {progress.messages:,} messages · "
            f"{rate:,.0f} chats/s"
        )

    def show_report(self, report: ImportReport) -> None:
        """The import ended: what it did."""
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.heading.setText(
            f"<b>{'Import cancelled' if report.cancelled else 'Import finished'}</b>"
            f" · {Path(report.path).name} ({report.format or 'unknown format'})"
        )
        self.counts.setText(report.summary())
        lines: list[str] = []
        if report.cancelled:
            lines.append(
                "The chats imported before you cancelled were kept; importing the file again "
                "adds only the rest."
            )
        if report.skipped:
            lines.append(f"Skipped ({len(report.skipped)}):")
            lines += [f"• “{s.title}”: {s.reason}" for s in report.skipped]
        if lines:
            self.details.setPlainText("\n".join(lines))
            self.details.show()
        self._first = report.conversation_ids[0] if report.conversation_ids else None
        self.open_button.setVisible(self._first is not None)
        self._finish()

    def show_failure(self, text: str) -> None:
        """The file could not be imported at all."""
        self.bar.hide()
        self.heading.setText("<b>Nothing was imported</b>")
        self.counts.setText(text)
        self.counts.setWordWrap(True)
        self.counts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._finish()

    def _finish(self) -> None:
        self.cancel_button.hide()
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.accept)
        close.setDefault(True)
        close.setFocus()

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.counts.setText(self.counts.text() + " · stopping…")
        self.cancelRequested.emit()

    def _open(self) -> None:
        if self._first is not None:
            self.openRequested.emit(self._first)
        self.accept()

    def reject(self) -> None:
        """Esc or the window's close button cancel a running import first."""
        if self.cancel_button.isVisible():
            self._cancel()
            return
        super().reject()
