"""ComposerEdit: the composer's text field (Enter sends, Shift+Enter breaks the line)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QPlainTextEdit,
    QSizePolicy,
    QTextEdit,
    QWidget,
)

from chatdesk.ui.kit.enter_keys import EnterKey, enter_key

MIN_LINES = 2
MAX_LINES = 10


class ComposerEdit(QPlainTextEdit):
    """The text field; grows with its content up to ``MAX_LINES``."""

    submitted = Signal()
    stopRequested = Signal()
    #: The user changed the text by hand (typing, deleting, pasting), not dictation.
    userEdited = Signal()
    #: Up in the empty field: edit the last question.
    editLastRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._interim_start: QTextCursor | None = None
        self._interim_end: QTextCursor | None = None
        self.setObjectName("composer")
        self.setAccessibleName("Message")
        self.setPlaceholderText("Message the model…  (Enter to send, Shift+Enter for a new line)")
        self.setTabChangesFocus(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().contentsChanged.connect(self._fit_height)
        self._fit_height()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        meaning = enter_key(event)
        if meaning is not None:
            if meaning is EnterKey.SEND:
                self.submitted.emit()
            elif meaning is EnterKey.NEW_LINE:
                self.insertPlainText("\n")
            else:
                self.stopRequested.emit()
            event.accept()
            return
        mods = event.modifiers()
        if (
            event.key() == Qt.Key.Key_Up
            and mods == Qt.KeyboardModifier.NoModifier
            and not self.toPlainText()
        ):
            self.editLastRequested.emit()
            event.accept()
            return
        revision = self.document().revision()
        super().keyPressEvent(event)
        if self.document().revision() != revision:
            self.userEdited.emit()

    def insertFromMimeData(self, source: QMimeData) -> None:
        super().insertFromMimeData(source)
        self.userEdited.emit()

    # -- dictation -----------------------------------------------------------------------

    def interim_text(self) -> str:
        """The interim transcript shown now ("" when none)."""
        span = self._interim_span()
        return span.selectedText().lstrip() if span is not None else ""

    def committed_text(self) -> str:
        """The text without the interim transcript (what Send sends)."""
        text = self.toPlainText()
        span = self._interim_span()
        if span is None:
            return text
        return text[: span.selectionStart()] + text[span.selectionEnd() :]

    def show_interim(self, text: str) -> None:
        """Show (or replace) the live interim transcript at the dictation point."""
        if not text.strip():
            self.clear_interim()
            return
        cursor = self._interim_span() or self.textCursor()
        self._put(cursor, text, interim=True)

    def commit_final(self, text: str) -> None:
        """Replace the interim transcript with final ``text`` (or insert it at the cursor)."""
        span = self._interim_span()
        if not text.strip():
            self.clear_interim()
            return
        self._put(span or self.textCursor(), text.strip(), interim=False)

    def commit_interim(self) -> None:
        """Keep the interim transcript as ordinary text (dictation failed: lose nothing)."""
        self._interim_start = self._interim_end = None
        self.setExtraSelections([])

    def clear_interim(self) -> None:
        """Remove the interim transcript (it was replaced by nothing, or is obsolete)."""
        span = self._interim_span()
        if span is not None:
            span.removeSelectedText()
        self.commit_interim()

    def _interim_span(self) -> QTextCursor | None:
        """A cursor selecting the interim text; None when there is none (or it was deleted)."""
        if self._interim_start is None or self._interim_end is None:
            return None
        start, end = self._interim_start.position(), self._interim_end.position()
        if end <= start:
            self.commit_interim()
            return None
        span = QTextCursor(self.document())
        span.setPosition(start)
        span.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        return span

    def _put(self, cursor: QTextCursor, text: str, *, interim: bool) -> None:
        start = cursor.selectionStart()
        if start > 0 and not text[:1].isspace():
            before = self.document().characterAt(start - 1)
            if before and not before.isspace():  # (the paragraph separator is a space too)
                text = " " + text
        cursor.beginEditBlock()
        cursor.insertText(text, QTextCharFormat())
        cursor.endEditBlock()
        end = start + len(text)
        if not interim:
            self.commit_interim()
            return
        self._interim_start = QTextCursor(self.document())
        self._interim_start.setPosition(start)
        self._interim_end = QTextCursor(self.document())
        self._interim_end.setPosition(end)
        # Typing right after the interim text must not become part of it.
        self._interim_end.setKeepPositionOnInsert(True)
        self._highlight(start + len(text) - len(text.lstrip()), end)

    def _highlight(self, start: int, end: int) -> None:
        span = QTextCursor(self.document())
        span.setPosition(start)
        span.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        mark = QTextEdit.ExtraSelection()
        mark.cursor = span
        fmt = QTextCharFormat()
        fmt.setFontItalic(True)
        fmt.setForeground(self.palette().color(QPalette.ColorRole.PlaceholderText))
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        fmt.setToolTip("Dictation in progress: these words may still change")
        mark.format = fmt
        self.setExtraSelections([mark])

    def changeEvent(self, event: QEvent) -> None:
        """The theme or the zoom changed the font: fit the new line height (not only after
        the next edit)."""
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_height()

    def _fit_height(self) -> None:
        line = self.fontMetrics().lineSpacing()
        lines = max(MIN_LINES, min(MAX_LINES, self.document().size().toSize().height() or 1))
        margins = self.contentsMargins()
        frame = int(self.document().documentMargin() * 2) + margins.top() + margins.bottom()
        self.setFixedHeight(lines * line + frame + 2)
