"""Tray: chatdesk's icon in the desktop's tray (where there is one), with New chat, Quick ask,
Dictate, Show/Hide and Quit; a click shows or hides the window; notices as desktop
notifications."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

__all__ = ["Tray"]


class Tray(QObject):
    """See the module docstring; the signals say what was chosen."""

    newChatRequested = Signal()
    quickAskRequested = Signal()
    dictateRequested = Signal()
    toggleRequested = Signal()
    quitRequested = Signal()

    def __init__(self, icon: QIcon, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(icon, self)
        self.icon.setToolTip("chatdesk")
        self.menu = QMenu()
        self.menu.setObjectName("trayMenu")
        self.actions: dict[str, QAction] = {}
        for key, text, signal in (
            ("new", "New chat", self.newChatRequested),
            ("quick", "Quick ask", self.quickAskRequested),
            ("dictate", "Dictate", self.dictateRequested),
            ("toggle", "Hide chatdesk", self.toggleRequested),
            ("quit", "Quit", self.quitRequested),
        ):
            if key == "quit":
                self.menu.addSeparator()
            action = self.menu.addAction(text)
            action.triggered.connect(signal.emit)
            self.actions[key] = action
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def window_shown(self, shown: bool) -> None:
        """The Show/Hide item follows the window."""
        self.actions["toggle"].setText("Hide chatdesk" if shown else "Show chatdesk")

    def notify(self, title: str, text: str) -> None:
        """A desktop notification from the tray icon."""
        self.icon.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 6000)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.toggleRequested.emit()
