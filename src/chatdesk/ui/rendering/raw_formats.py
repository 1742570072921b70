"""How raw streamed text looks until its block is rendered: code lines monospace on a
shaded block, fence lines dressed as a code block's header, the rest plain."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFontDatabase, QTextBlockFormat, QTextCharFormat

from chatdesk.ui.rendering.markdown import LINE_HEIGHT, LineKind, theme

__all__ = ["RawFormats"]


class RawFormats:
    """The block and character formats of raw text, in the code colours of the theme."""

    def __init__(self, dark: bool) -> None:
        t = theme(dark)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.text_block = QTextBlockFormat()
        self.text_block.setTopMargin(0)
        self.text_block.setBottomMargin(0)
        self.text_char = QTextCharFormat()
        self.code_block = QTextBlockFormat(self.text_block)
        self.text_block.setLineHeight(
            LINE_HEIGHT, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value
        )
        self.code_block.setBackground(QColor(t.code_bg))
        self.code_char = QTextCharFormat()
        self.code_char.setFontFamilies([mono.family(), "monospace"])
        self.code_char.setFontFixedPitch(True)
        self.code_char.setForeground(QColor(t.code_fg))
        self.fence_char = QTextCharFormat(self.code_char)
        self.fence_char.setForeground(QColor(t.muted))
        self.hidden_char = QTextCharFormat(self.fence_char)
        self.hidden_char.setForeground(QColor(0, 0, 0, 0))
        self.head_block = QTextBlockFormat(self.code_block)
        self.head_block.setBackground(QColor(t.code_header_bg))
        self.head_block.setTopMargin(6)

    def char(self, kind: LineKind) -> QTextCharFormat:
        """The character format of a line of ``kind``."""
        if kind is LineKind.CODE:
            return self.code_char
        if kind is LineKind.FENCE:
            return self.fence_char
        return self.text_char
