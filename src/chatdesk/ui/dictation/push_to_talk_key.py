"""PushToTalkKey: hold a key to talk, release it to stop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from chatdesk.ui.dictation.dictation_controller import DictationController

__all__ = ["PushToTalkKey"]


class PushToTalkKey(QObject):
    """Holding ``sequence`` (e.g. "F9") talks, releasing it stops.

    Either an event filter on a widget (``widget.installEventFilter(ptt)``), or, for a whole
    window, ``attach_to(window)``: a shortcut catches the press and an application-wide filter
    watches for the release only while the key is down (no cost per event otherwise).
    Auto-repeat is ignored, and the release counts even if the modifiers were let go first.
    """

    def __init__(self, controller: DictationController, sequence: str, parent: QObject) -> None:
        super().__init__(parent)
        self._controller = controller
        combo = QKeySequence(sequence)[0]  # type: ignore[index]
        self._key = int(combo.key().value)
        self._mods = combo.keyboardModifiers()
        self._sequence = sequence
        self._down = False
        self._app_filter = False

    def attach_to(self, window: QWidget) -> None:
        """Talk while ``sequence`` is held anywhere in the application's windows."""
        shortcut = QShortcut(QKeySequence(self._sequence), window)
        shortcut.setAutoRepeat(False)
        shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        shortcut.activated.connect(self._shortcut_pressed)

    def _shortcut_pressed(self) -> None:
        app = QCoreApplication.instance()
        if self._down or app is None:
            return
        self._down = True
        app.installEventFilter(self)  # until the release
        self._app_filter = True
        self._controller.push_to_talk_pressed()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        assert isinstance(event, QKeyEvent)
        key = int(event.key())
        if key != self._key or event.isAutoRepeat():
            return self._down and key == self._key
        if kind == QEvent.Type.KeyPress and not self._down:
            mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if mods != self._mods:
                return False
            self._down = True
            self._controller.push_to_talk_pressed()
            return True
        if kind == QEvent.Type.KeyRelease and self._down:
            self._down = False
            app = QCoreApplication.instance()
            if self._app_filter and app is not None:
                app.removeEventFilter(self)
                self._app_filter = False
            self._controller.push_to_talk_released()
            return True
        return False
