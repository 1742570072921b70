"""The compact cards that show a message's tool calls and tool results, one line each."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from chatdesk.ui.icons import icon
from chatdesk.ui.painted import Card

__all__ = ["tool_calls_box"]


def tool_calls_box(
    rows: Iterable[tuple[str, str, str]], icon_color: QColor, parent: QWidget
) -> QWidget:
    """A column named ``toolCalls`` with one card per ``(name, status, detail)`` row."""
    box = QWidget(parent)
    box.setObjectName("toolCalls")
    box_layout = QVBoxLayout(box)
    box_layout.setContentsMargins(0, 0, 0, 0)
    box_layout.setSpacing(4)
    for name, status, detail in rows:
        box_layout.addWidget(_tool_card(name, status, detail, icon_color, box))
    return box


def _tool_card(name: str, status: str, detail: str, icon_color: QColor, parent: QWidget) -> Card:
    """One line: tool glyph, bold name, status, a preview of ``detail`` (all of it as tooltip)."""
    card = Card("tool", parent)
    card.setObjectName("toolCard")
    card.setAccessibleName(f"Tool {name}: {status}")
    row = QHBoxLayout(card)
    row.setContentsMargins(10, 5, 12, 5)
    row.setSpacing(8)
    glyph = QLabel(card)
    glyph.setPixmap(icon("tool", icon_color, 14).pixmap(14, 14))
    row.addWidget(glyph)
    title = QLabel(name, card)
    title.setObjectName("toolName")
    bold = QFont()
    bold.setWeight(QFont.Weight.DemiBold)
    title.setFont(bold)
    row.addWidget(title)
    state = QLabel(status, card)
    state.setObjectName("toolStatus")
    state.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    row.addWidget(state)
    preview = " ".join(detail.split())[:90]
    if preview:
        extra = QLabel(preview, card)
        extra.setObjectName("toolDetail")
        extra.setTextFormat(Qt.TextFormat.PlainText)
        extra.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        extra.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        row.addWidget(extra, 1)
    else:
        row.addStretch(1)
    card.setToolTip(detail[:2000])
    return card
