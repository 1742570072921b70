"""The composer: multi-line input, Enter sends, Shift+Enter breaks the line, Esc stops.

Dictation writes into it too: the interim transcript shows live at the cursor in a distinct
style (grey italic, dotted underline; an extra selection, so the document's own formatting never
changes) and is replaced as it changes; final text is committed in its place as ordinary text.
The user can keep typing anywhere while dictating: the interim span is tracked by two text
cursors that move with the user's edits, and text typed right after it is never swallowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.ui.composer.composer_edit import ComposerEdit
from chatdesk.ui.kit.icons import icon

if TYPE_CHECKING:
    from chatdesk.attachments.validate import Limits, PendingFile
    from chatdesk.ui.composer.attachment_chips import AttachmentChips


class Composer(QWidget):
    """The input row: attach, the text field, Send and Stop; attached files as chips above."""

    sendRequested = Signal(str)
    sendRefused = Signal()  # Enter while an answer streams (the text stays)
    stopRequested = Signal()
    #: Up in the empty composer: edit the last question.
    editLastRequested = Signal()
    #: The + menu's "From a server…": attach an MCP server's resource.
    resourcesRequested = Signal()

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
        self.chips: AttachmentChips | None = None  # see enable_attachments
        self.attach_button = QPushButton(self)
        self.attach_button.setObjectName("attachButton")
        self.attach_button.setAccessibleName("Attach files")
        self.attach_button.setToolTip(
            "Attach images, PDFs or text files (or drop them here, or paste with Ctrl+V)"
        )
        self._paint_icons()
        self.attach_button.setFlat(True)
        self.attach_button.setAutoDefault(False)
        self.attach_button.clicked.connect(self._attach_clicked)
        self._server_files = False  # servers offer resources: + is a menu
        self.attach_button.setEnabled(False)  # until the attachment store is ready

        from chatdesk.ui.composer.context_meter import ContextMeter

        self.context_meter = ContextMeter(self)
        buttons = QVBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.context_meter, 0, Qt.AlignmentFlag.AlignHCenter)
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        # One row, everything on the text field's bottom line: + | text | (mic) | Send/Stop.
        self._button_height = self.send_button.sizeHint().height()
        self.attach_button.setFixedSize(self._button_height, self._button_height)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.attach_button, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.edit, 1)
        row.addLayout(buttons)
        self._row = row
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 8, 12, 12)
        column.setSpacing(6)
        column.addLayout(row)
        self._column = column

        self._busy = False
        self.edit.textChanged.connect(self._update_send)
        self.edit.submitted.connect(self.submit)
        self.edit.stopRequested.connect(self.stopRequested)
        self.edit.editLastRequested.connect(self.editLastRequested)
        self.send_button.clicked.connect(self.submit)
        self.stop_button.clicked.connect(self.stopRequested)
        self._update_send()

    def _paint_icons(self) -> None:
        self.attach_button.setIcon(
            icon("attach", self.palette().color(QPalette.ColorRole.ButtonText), 18)
        )

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:  # a theme switch: redraw in its colours
            self._paint_icons()

    def enable_attachments(self, limits: Limits) -> AttachmentChips:
        """The chips row for attached files (made once the store is ready, after the first
        paint: its module and checks are not needed to show the window)."""
        from chatdesk.ui.composer.attachment_chips import AttachmentChips

        if self.chips is None:
            self.chips = AttachmentChips(limits, parent=self)
            self._column.insertWidget(0, self.chips)
            self.chips.changed.connect(self._update_send)
            self.attach_button.setEnabled(True)
        self.chips.limits = limits
        return self.chips

    def files(self) -> list[PendingFile]:
        """The files attached to the message being written."""
        return self.chips.files() if self.chips is not None else []

    def offer_server_files(self, offered: bool) -> None:
        """Whether + also offers "From a server…" (an MCP server has resources)."""
        self._server_files = offered

    def _attach_clicked(self) -> None:
        if not self._server_files:
            self.choose_files()
            return
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        menu.addAction("Files on this computer…", self.choose_files)
        menu.addAction("From a server…", self.resourcesRequested.emit)
        menu.exec(self.attach_button.mapToGlobal(self.attach_button.rect().topLeft()))

    def choose_files(self) -> None:
        """The file dialog (non-blocking); the chosen files become chips."""
        if self.chips is None:
            return
        dialog = QFileDialog(self, "Attach files")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.filesSelected.connect(self.chips.add_files)
        dialog.open()

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        """Replace the text (e.g. restore a draft) and put the cursor at its end."""
        self.edit.setPlainText(text)
        self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)

    def submit(self) -> bool:
        """Send the text (and files) unless both are empty or an answer is streaming; True if
        it was sent. Interim dictation (grey words that may still change) is not sent: its
        final words arrive afterwards and start the next message."""
        text = self.edit.committed_text()
        if not text.strip() and not self.files():
            return False
        if self._busy:  # one answer at a time: the text stays
            self.sendRefused.emit()
            return False
        self.sendRequested.emit(text)
        return True

    @property
    def busy(self) -> bool:
        """An answer is streaming (Send is replaced by Stop)."""
        return self._busy

    def add_accessory(self, widget: QWidget) -> None:
        """Place a small control (the mic button) in the row, just before Send."""
        widget.setParent(self)
        widget.setFixedHeight(self._button_height)
        self._row.insertWidget(self._row.count() - 1, widget, 0, Qt.AlignmentFlag.AlignBottom)

    # -- dictation (see ComposerEdit) ------------------------------------------------------

    def show_interim(self, text: str) -> None:
        self.edit.show_interim(text)

    def commit_final(self, text: str) -> None:
        self.edit.commit_final(text)

    def commit_interim(self) -> None:
        self.edit.commit_interim()

    def clear_interim(self) -> None:
        self.edit.clear_interim()

    def interim_text(self) -> str:
        return self.edit.interim_text()

    def committed_text(self) -> str:
        return self.edit.committed_text()

    def submit_dictated(self) -> bool:
        """Auto-submit: send the text exactly as Enter would; True if it left. Blank text or
        a streaming answer keep it here."""
        return self.submit()

    def clear_after_send(self) -> None:
        self.edit.clear()
        if self.chips is not None:
            self.chips.clear()
        self.edit.setFocus()

    def set_busy(self, busy: bool) -> None:
        """While an answer streams: Stop shown, Send hidden; typing stays possible."""
        self._busy = busy
        self.stop_button.setVisible(busy)
        self.send_button.setVisible(not busy)
        self._update_send()

    def _update_send(self) -> None:
        has_files = self.chips is not None and self.chips.count() > 0
        has_content = bool(self.text().strip()) or has_files
        self.send_button.setEnabled(not self._busy and has_content)
