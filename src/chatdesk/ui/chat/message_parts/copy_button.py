"""The Copy button of a message: copies its source, then shows a check for a moment."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QToolButton, QWidget

from chatdesk.ui.kit.colors import muted_color
from chatdesk.ui.kit.flat_button import flat_button
from chatdesk.ui.kit.icons import icon

__all__ = ["copy_button"]

FLASH_MS = 1400  # how long the check shows before ``restyle`` puts the copy icon back


def copy_button(
    message: QWidget, source: Callable[[], str], restyle: Callable[[], None]
) -> QToolButton:
    """A flat Copy button of ``message`` that copies ``source()``."""
    button = flat_button(message, "Copy", "Copy message", "copyMessageButton")

    def copy() -> None:
        QGuiApplication.clipboard().setText(source())
        button.setIcon(icon("check", muted_color(message.palette())))
        button.setToolTip("Copied")
        QTimer.singleShot(FLASH_MS, message, restyle)

    button.clicked.connect(copy)
    return button
