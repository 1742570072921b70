"""A flat tool button: auto-raised, reached by Tab, named for screen readers."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QToolButton, QWidget

__all__ = ["flat_button"]


def flat_button(
    parent: QWidget, text: str, accessible: str, object_name: str, *, icon_only: bool = True
) -> QToolButton:
    """A flat button showing its icon (and ``text`` beside it unless ``icon_only``)."""
    button = QToolButton(parent)
    button.setObjectName(object_name)
    button.setText(text)
    button.setToolTip(accessible)
    button.setAccessibleName(accessible)
    button.setAutoRaise(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    button.setIconSize(QSize(15, 15))
    style = (
        Qt.ToolButtonStyle.ToolButtonIconOnly
        if icon_only
        else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    )
    button.setToolButtonStyle(style)
    return button
