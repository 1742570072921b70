"""Streams Markdown into a QTextDocument at a cost that does not grow with the answer.

The document holds two parts: rendered blocks, then a *region* of raw text. Streamed text is
only ever appended to the region (as plain text with cheap formatting: code lines monospace on
a shaded block), so an update costs the size of the delta. When
:class:`~chatdesk.ui.rendering.markdown.BlockScanner` finds that a block is finished, that block is
rendered to HTML once and moves from the front of the region to the end of the rendered part;
nothing rendered is touched again. Work is budgeted per event-loop pass (a burst of text is
caught up over the next passes instead of freezing one), and :meth:`StreamRenderer.finish`
renders only what is still raw: blocks are cut where Markdown renders the same alone as in the
whole text, so the final document equals rendering the complete text at once (a message with
reference-style link definitions, whose meaning crosses blocks, is rendered whole instead).
"""

from __future__ import annotations

import re
import time
from collections import deque
from typing import Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QTextBlockFormat, QTextCursor, QTextDocument

from chatdesk.ui.rendering.document_html import JOIN, set_document_html, trim_last_block
from chatdesk.ui.rendering.markdown import BlockScanner, LineKind, render_blocks
from chatdesk.ui.rendering.raw_formats import RawFormats

__all__ = ["DocumentHost", "StreamRenderer"]

_REF_DEF_RE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S", re.MULTILINE)
_MOVE = QTextCursor.MoveOperation
_KEEP = QTextCursor.MoveMode.KeepAnchor


class DocumentHost(Protocol):
    """Gives a renderer more documents, shown one below the other (see StreamRenderer)."""

    def add_document(self) -> QTextDocument:
        """A new empty document shown below the last one."""
        ...

    def remove_extra_documents(self) -> None:
        """Remove every document added with add_document."""
        ...


class StreamRenderer(QObject):
    """Incremental Markdown display of one streaming message in ``document``.

    Work per call or event-loop pass is bounded: at most ``show_chars`` new characters are
    shown and ``budget`` seconds spent rendering finished blocks; the rest waits for the next
    pass (a zero-interval timer). Real streams never hit either bound; a burst does not
    freeze the window.

    With a ``host``, a long message continues in a new document (a *segment*) about every
    ``segment_chars`` characters: Qt paints a document from its first block on, so one
    growing document would make every repaint of the streaming end cost more and more.
    """

    #: The document is final (after :meth:`finish`).
    completed = Signal()

    def __init__(
        self,
        document: QTextDocument,
        *,
        dark: bool,
        budget: float = 0.008,
        show_chars: int = 2048,
        host: DocumentHost | None = None,
        segment_chars: int = 6000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._first_doc = document
        self._doc = document
        self._cursor = QTextCursor(document)
        self._host = host
        self._segment_chars = segment_chars
        self._segments: list[tuple[QTextDocument, list[str]]] = []  # full ones, with sources
        self._segment_source: list[str] = []  # what is rendered in the current document
        self._segment_len = 0
        self._last_bottom = 0.0  # bottom margin that ends the previous segment
        self._dark = dark
        self._budget = budget
        self._show_chars = show_chars
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._pump)
        self._rendered: list[str] = []  # Markdown source of the rendered blocks
        self._rendered_len = 0
        self._codes: list[str] = []
        self._region = ""  # raw text shown after the rendered part: finished blocks + tail
        self._backlog = ""  # received, not shown yet (only after a burst)
        self._pending: deque[int] = deque()  # lengths of finished, unrendered region blocks
        self._queued = 0  # their total: the region index where the unfinished tail begins
        self._scanner = BlockScanner(record=True)
        self._cut = 0  # document position of the end of the rendered part
        self._start = 0  # document position of the region's first character
        self._partial_kind = LineKind.TEXT  # how the region's unfinished line was formatted
        self._in_code = False  # the region's next line is inside a code fence
        self._final = False  # finish() was called: no more text comes
        self._done = False  # the document is final
        self._has_content = False  # the document holds rendered blocks
        self._formats = RawFormats(self._dark)
        self._doc.clear()
        self._begin_region()

    # --- public ---------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The Markdown received so far."""
        return "".join(self._rendered) + self._region + self._backlog

    @property
    def code_blocks(self) -> tuple[str, ...]:
        """Source of the code blocks rendered so far, indexed like their ``copy-code`` links."""
        return tuple(self._codes)

    @property
    def documents(self) -> list[QTextDocument]:
        """The documents written so far, top to bottom."""
        return [doc for doc, _ in self._segments] + [self._doc]

    @property
    def rendered_length(self) -> int:
        """Characters of source already rendered as finished blocks."""
        return self._rendered_len

    @property
    def pending(self) -> int:
        """Finished blocks waiting for their render."""
        return len(self._pending)

    @property
    def backlog(self) -> int:
        """Characters received but not shown yet."""
        return len(self._backlog)

    @property
    def done(self) -> bool:
        """True once :meth:`finish` has run."""
        return self._done

    @property
    def region_position(self) -> int:
        """Document position where the raw region begins: nothing before it changes."""
        return self._cut

    @property
    def finishing(self) -> bool:
        """True after :meth:`finish` until the last block is rendered."""
        return self._final and not self._done

    def append(self, delta: str) -> None:
        """Add streamed text."""
        if not delta or self._final:
            return
        self._backlog += delta
        self._pump()

    def finish(self, text: str | None = None) -> None:
        """No more text: render what is still raw (``text``, when it differs, replaces all).

        The rest is rendered over the next event-loop passes like the stream was;
        ``completed`` is emitted once the document is final (at once if nothing is left).
        """
        if self._final:
            return
        source = self.text if text is None else text
        self._final = True
        if source != self.text or _REF_DEF_RE.search(source):
            self._timer.stop()
            self._render_whole(source)
            return
        self._pump()

    def abandon(self) -> None:
        """Stop for good without touching the document again (it is about to be replaced)."""
        self._timer.stop()
        self._final = self._done = True

    def flush(self) -> None:
        """Do all outstanding work now, whatever the bounds."""
        self._timer.stop()
        self._work(None, None)

    def set_dark(self, dark: bool) -> None:
        """Switch code colours: render what is finished again, once."""
        if dark == self._dark:
            return
        self._dark = dark
        self._formats = RawFormats(self._dark)
        source = self.text
        if self._final:
            self._timer.stop()
            self._render_whole(source)
            return
        codes: list[str] = []
        for doc, parts in self._segments:
            rendered = render_blocks("".join(parts), dark=dark, code_index=len(codes))
            codes.extend(rendered.code_blocks)
            set_document_html(doc, rendered.html, trim_end=False)
        finished = "".join(self._segment_source)
        raw = self._region + self._backlog
        self._timer.stop()
        self._doc.clear()
        self._cursor = QTextCursor(self._doc)
        self._region, self._backlog = "", ""
        self._pending.clear()
        self._queued = 0
        self._scanner = BlockScanner(record=True)
        self._has_content = False
        if finished:
            rendered = render_blocks(finished, dark=dark, code_index=len(codes))
            codes.extend(rendered.code_blocks)
            if rendered.html:
                set_document_html(self._doc, rendered.html, trim_end=False)
                self._has_content = True
        self._codes = codes
        self._begin_region()
        self.append(raw)

    # --- internals ------------------------------------------------------------------------------

    def _begin_region(self) -> None:
        """Start an empty region block at the end of the document."""
        cursor = self._cursor
        cursor.movePosition(_MOVE.End)
        self._cut = cursor.position()
        if self._has_content:
            cursor.insertBlock(self._formats.text_block, self._formats.text_char)
        else:
            cursor.setBlockFormat(self._formats.text_block)
        self._start = cursor.position()
        self._partial_kind = LineKind.TEXT
        self._in_code = False

    def _drop_region(self) -> None:
        cursor = self._cursor
        cursor.setPosition(self._cut)
        cursor.movePosition(_MOVE.End, _KEEP)
        cursor.removeSelectedText()

    def _scan_and_show(self, start: int) -> None:
        """Scan the region from ``start``, queue finished blocks, show the new text."""
        scanner = self._scanner
        scanner.scan(self._region)
        for boundary in scanner.boundaries:
            if boundary > self._queued:
                self._pending.append(boundary - self._queued)
                self._queued = boundary
        scanner.boundaries.clear()
        self._show(start, scanner.lines)
        scanner.lines.clear()

    def _show(self, start: int, lines: list[tuple[int, int, LineKind]]) -> None:
        """Show ``region[start:]``: complete lines by their kind, the rest as it stands."""
        cursor = self._cursor
        region = self._region
        base = self._start
        cursor.movePosition(_MOVE.End)
        pos = start
        for line_start, line_end, kind in lines:
            if line_start < start and kind is not self._partial_kind:
                # The line began in an earlier update, formatted as a guess: fix that part.
                cursor.setPosition(base + line_start)
                cursor.setPosition(base + start, _KEEP)
                cursor.setCharFormat(self._formats.char(kind))
                cursor.movePosition(_MOVE.End)
            piece_from = max(line_start, pos)
            if piece_from < line_end:
                cursor.insertText(region[piece_from:line_end], self._formats.char(kind))
            if kind is LineKind.FENCE:
                self._dress_fence(base + line_start, region[line_start:line_end])
                self._in_code = not self._in_code
            else:
                self._in_code = kind is LineKind.CODE
            cursor.insertBlock(
                self._formats.code_block if self._in_code else self._formats.text_block
            )
            pos = line_end + 1
            self._partial_kind = LineKind.CODE if self._in_code else LineKind.TEXT
        if pos < len(region):
            cursor.insertText(region[pos:], self._formats.char(self._partial_kind))

    def _dress_fence(self, position: int, line: str) -> None:
        """Make a raw fence line look like a code block's header: the marks hidden, the
        language on the header's shade (a closing fence is hidden altogether)."""
        cursor = self._cursor
        stripped = line.lstrip()
        marks = len(line) - len(stripped)
        marks += len(stripped) - len(stripped.lstrip(stripped[:1] or " "))
        opening = not self._in_code
        cursor.setPosition(position)
        cursor.setPosition(position + (marks if opening else len(line)), _KEEP)
        cursor.setCharFormat(self._formats.hidden_char)
        if opening:
            cursor.setBlockFormat(self._formats.head_block)
        cursor.movePosition(_MOVE.End)

    def _pump(self) -> None:
        self._work(self._show_chars, self._budget)

    def _work(self, show_chars: int | None, budget: float | None) -> None:
        """Show part of the backlog, then render finished blocks; come back for the rest."""
        if self._done:
            return
        bounded = show_chars is not None or budget is not None
        while True:
            self._show_backlog(show_chars)
            self._queue_tail()
            self._render_pending(budget)
            self._queue_tail()
            if not (self._pending or self._backlog):
                break
            if bounded:
                self._timer.start()
                return
        if self._final:
            self._complete()

    def _queue_tail(self) -> None:
        """After finish(), the unfinished tail is a finished block after all."""
        if self._final and not self._backlog and len(self._region) > self._queued:
            self._pending.append(len(self._region) - self._queued)
            self._queued = len(self._region)

    def _complete(self) -> None:
        if self._has_content:
            self._drop_region()
            trim_last_block(self._cursor)
        else:
            self._doc.clear()
        self._region, self._backlog = "", ""
        self._done = True
        self.completed.emit()

    def _render_whole(self, source: str) -> None:
        if self._segments and self._host is not None:
            self._host.remove_extra_documents()
            self._segments = []
            self._doc = self._first_doc
            self._cursor = QTextCursor(self._doc)
        rendered = render_blocks(source, dark=self._dark)
        set_document_html(self._doc, rendered.html)
        self._codes = list(rendered.code_blocks)
        self._rendered, self._region, self._backlog = [source], "", ""
        self._rendered_len = len(source)
        self._pending.clear()
        self._queued = 0
        self._done = True
        self.completed.emit()

    def _show_backlog(self, limit: int | None) -> None:
        if not self._backlog:
            return
        if limit is None or len(self._backlog) <= limit:
            piece, self._backlog = self._backlog, ""
        else:
            piece, self._backlog = self._backlog[:limit], self._backlog[limit:]
        old = len(self._region)
        self._region += piece
        self._cursor.beginEditBlock()  # one layout pass for all the edits
        try:
            self._scan_and_show(old)
        finally:
            self._cursor.endEditBlock()

    def _render_pending(self, budget: float | None) -> None:
        """Render finished blocks from the front of the region, within ``budget`` seconds."""
        deadline = None if budget is None else time.perf_counter() + budget
        while self._pending:
            if self._segment_len >= self._segment_chars and self._may_start_segment():
                self._start_segment()
                continue
            length = self._pending.popleft()
            if self._has_content:
                self._cursor.beginEditBlock()
                try:
                    self._render_front(length)
                finally:
                    self._cursor.endEditBlock()
            else:
                self._render_front(length)  # replaces the document: no edit block open
            if deadline is not None and time.perf_counter() >= deadline:
                break

    def _render_front(self, length: int) -> None:
        """Render the first ``length`` characters of the region and put them before it."""
        source = self._region[:length]
        rendered = render_blocks(source, dark=self._dark, code_index=len(self._codes))
        self._codes.extend(rendered.code_blocks)
        self._rendered.append(source)
        self._rendered_len += length
        self._segment_source.append(source)
        self._segment_len += length
        self._region = self._region[length:]
        self._queued -= length
        self._scanner.rebase(min(length, self._scanner.position))
        cursor = self._cursor
        if not self._has_content:
            if not rendered.html:
                # Only blank lines so far: drop them from the display.
                cursor.setPosition(self._start)
                cursor.setPosition(self._start + length, _KEEP)
                cursor.removeSelectedText()
                return
            # The first blocks: a fresh document, then the rest of the region shown again.
            own_top = set_document_html(self._doc, rendered.html, trim_end=False)
            if self._segments:  # margins do not collapse across documents: emulate it
                top = max(own_top - self._last_bottom, 0.0)
                set_top = QTextBlockFormat()
                set_top.setTopMargin(top)
                QTextCursor(self._doc).mergeBlockFormat(set_top)
            self._has_content = True
            self._begin_region()
            self._scanner = BlockScanner(record=True)
            self._pending.clear()
            self._queued = 0
            self._scan_and_show(0)
            return
        # Remove the block's raw lines but keep the separator before the region's next line.
        end = self._start + length - 1 if source.endswith("\n") else self._start + length
        cursor.setPosition(self._cut)
        kept = cursor.blockFormat()
        cursor.setPosition(end, _KEEP)
        cursor.removeSelectedText()
        if cursor.blockFormat() != kept:  # the merge gave it a removed line's (code shade)
            cursor.setBlockFormat(kept)
        if rendered.html:
            cursor.setPosition(self._cut)
            cursor.insertHtml(JOIN + rendered.html)
            after = cursor.position()
            if self._doc.characterAt(self._cut) == JOIN:
                cursor.setPosition(self._cut)
                cursor.setPosition(self._cut + 1, _KEEP)
                cursor.removeSelectedText()
                after -= 1
            self._cut = after
        self._start = self._cut + 1

    def _may_start_segment(self) -> bool:
        """A new document may begin with the next block unless Qt would open it with a table
        (code, tables and quotes are tables here), which adds an empty line above it."""
        if self._host is None or not self._has_content:
            return False
        length = self._pending[0]
        for line in self._region[:length].splitlines():
            if not line.strip():
                continue
            stripped = line.lstrip()
            indent = len(line) - len(stripped)
            return indent < 4 and not stripped.startswith(("```", "~~~", "|", ">"))
        return False

    def _start_segment(self) -> None:
        """Close the current document and move the raw region into a new one."""
        assert self._host is not None
        self._drop_region()
        self._last_bottom = self._doc.lastBlock().blockFormat().bottomMargin()
        self._segments.append((self._doc, self._segment_source))
        self._segment_source, self._segment_len = [], 0
        self._doc = self._host.add_document()
        self._cursor = QTextCursor(self._doc)
        self._has_content = False
        self._begin_region()
        self._scanner = BlockScanner(record=True)
        self._pending.clear()
        self._queued = 0
        self._cursor.beginEditBlock()
        try:
            self._scan_and_show(0)
        finally:
            self._cursor.endEditBlock()
