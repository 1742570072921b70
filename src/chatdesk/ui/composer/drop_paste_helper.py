"""Drops of files or images on the window and Ctrl+V in the composer attach them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QMimeData, QObject
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QPlainTextEdit, QWidget

if TYPE_CHECKING:
    from chatdesk.ui.composer.attachment_chips import AttachmentChips

__all__ = ["DropPasteHelper", "install_drop_and_paste"]


class DropPasteHelper(QObject):
    """Event filter: drops of files or images on ``drop_targets`` and Ctrl+V in
    ``paste_targets`` go to the chips; anything else (text) is left to the widget."""

    def __init__(
        self,
        chips: AttachmentChips,
        drop_targets: Sequence[QWidget],
        paste_targets: Sequence[QWidget] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or chips)
        self.chips = chips
        self._drop_targets = list(drop_targets)
        self._paste_targets = list(paste_targets)
        for widget in self._drop_targets:
            widget.setAcceptDrops(True)
            widget.installEventFilter(self)
        for widget in self._paste_targets:
            if widget not in self._drop_targets:
                widget.installEventFilter(self)

    @staticmethod
    def wanted(mime: QMimeData | None) -> bool:
        """Whether a drop or paste holds local files or an image."""
        if mime is None:
            return False
        return mime.hasImage() or any(url.isLocalFile() for url in mime.urls())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent | QDropEvent)
            if watched in self._drop_targets and self.wanted(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            if watched in self._drop_targets and self.wanted(event.mimeData()):
                self.chips.add_mime_data(event.mimeData())
                event.acceptProposedAction()
                return True
        elif kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            if watched in self._paste_targets and event.matches(QKeySequence.StandardKey.Paste):
                mime = QGuiApplication.clipboard().mimeData()
                if self.wanted(mime):
                    if kind == QEvent.Type.KeyPress:
                        assert mime is not None
                        self.chips.add_mime_data(mime)
                    event.accept()
                    return True
        return super().eventFilter(watched, event)


def install_drop_and_paste(
    window: QWidget, edit: QPlainTextEdit, chips: AttachmentChips
) -> DropPasteHelper:
    """Drops anywhere on ``window`` (the composer's text field included) and Ctrl+V in
    ``edit`` attach files and images to ``chips``."""
    return DropPasteHelper(chips, [window, edit, edit.viewport()], [edit], parent=window)
