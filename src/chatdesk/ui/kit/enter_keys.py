"""The keys of a text field that sends: Enter sends, Shift+Enter adds a line, Esc stops."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

__all__ = ["EnterKey", "enter_key"]


class EnterKey(Enum):
    """What a key press means in the composer and in a question being edited."""

    SEND = "send"
    NEW_LINE = "new line"
    ESCAPE = "escape"


def enter_key(event: QKeyEvent) -> EnterKey | None:
    """The meaning of ``event``; None for every other key (the field handles it)."""
    key = event.key()
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
        if mods == Qt.KeyboardModifier.NoModifier:
            return EnterKey.SEND
        if mods & Qt.KeyboardModifier.ShiftModifier:
            return EnterKey.NEW_LINE
    if key == Qt.Key.Key_Escape:
        return EnterKey.ESCAPE
    return None
