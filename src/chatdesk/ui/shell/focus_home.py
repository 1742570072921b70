"""FocusHome: keyboard focus goes back to the composer when what held it goes away.

Qt hands the focus of a widget that hides (a card answered, a button removed with its
message) to the next widget in the Tab chain — often a toolbar button, where the next Space
presses it — and a widget that gives its focus up leaves none. Both would swallow what the
user types next. Likewise a dialog or a menu of this app that closes leaves focus wherever
Qt restores it. In each case the focus goes home (the composer), while the main window is
active; switching to another application and back is left alone.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication, QDialog, QMenu, QWidget


class FocusHome(QObject):
    """Watches the application's focus for ``window``; ``home()`` puts focus on the composer.

    Focus is only redirected when it would otherwise be nowhere, on a hidden widget, or
    wherever a closing dialog or menu of this app left it.
    """

    def __init__(
        self,
        window: QWidget,
        home: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or window)
        self._window = window
        self._home = home
        self._last_window: QWindow | None = None
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        app.focusChanged.connect(self._focus_changed)
        app.focusWindowChanged.connect(self._focus_window_changed)

    def _active(self) -> bool:
        """The window is on screen and has the keyboard (and is not being destroyed)."""
        window = self._window
        return shiboken6.isValid(window) and window.isVisible() and window.isActiveWindow()

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if not self._active() or old is None or not self._window.isAncestorOf(old):
            return
        if new is None or not old.isVisible():  # given up, or handed on because it hid
            self._home()

    def _focus_window_changed(self, focus_window: QWindow | None) -> None:
        if not shiboken6.isValid(self._window):
            return
        mine = self._window.windowHandle()
        previous, self._last_window = self._last_window, focus_window
        if focus_window is None or mine is None or focus_window is not mine:
            return
        if previous is not None and previous is not mine and _is_dialog_or_menu(previous):
            self._home()  # a dialog or menu of this app closed (another app's is never ours)


def _is_dialog_or_menu(window: QWindow) -> bool:
    """True for the window of one of this app's dialogs or menus (not a combo box's list or a
    completer, which give focus back to the field they belong to)."""
    return any(
        widget.windowHandle() is window
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, QDialog | QMenu)
    )
