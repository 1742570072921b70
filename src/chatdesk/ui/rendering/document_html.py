"""Rendered HTML into a QTextDocument, with the block margins a message wants."""

from __future__ import annotations

from PySide6.QtGui import QTextBlockFormat, QTextCursor, QTextDocument

__all__ = ["JOIN", "set_document_html", "trim_last_block"]

# Put in front of inserted HTML: Qt merges a fragment's first block into the block at the
# cursor and drops that block's format; this character's block takes the merge instead.
JOIN = "\u200b"


def set_document_html(
    document: QTextDocument, html: str, *, trim_end: bool = True, top: float = 0
) -> float:
    """Replace the document with ``html``; its first block gets top margin ``top``, its last
    block none (unless ``trim_end`` is false). Returns the first block's own top margin."""
    document.setHtml(html)
    cursor = QTextCursor(document)
    own_top = cursor.blockFormat().topMargin()
    first = QTextBlockFormat()
    first.setTopMargin(top)
    cursor.mergeBlockFormat(first)
    if trim_end:
        trim_last_block(cursor)
    return own_top


def trim_last_block(cursor: QTextCursor) -> None:
    """No bottom margin on the document's last block (the cursor ends there)."""
    cursor.movePosition(QTextCursor.MoveOperation.End)
    last = QTextBlockFormat()
    last.setBottomMargin(0)
    cursor.mergeBlockFormat(last)
