"""MainMenus: the menu bar of the main window (File, View, Chat, Presets, Tools, Settings,
Help)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, QUrl, Signal, SignalInstance
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox

from chatdesk import __version__
from chatdesk.ui.dictation.mic_button import TOGGLE_SHORTCUT
from chatdesk.ui.presets.presets_menu import PresetsMenu


class MainMenus(QObject):
    """Builds the window's menus and says what was chosen; the window connects the rest."""

    zoomStepped = Signal(int)  # +1 in, -1 out
    zoomReset = Signal()
    themeRequested = Signal(str)
    mcpServersRequested = Signal()
    toolActivityRequested = Signal()
    suggestionsRequested = Signal()
    refreshModelsRequested = Signal()
    settingsRequested = Signal()
    #: The Chat menu: "edit", "regenerate", "previous", "next", "summarise", "overview".
    chatActionRequested = Signal(str)
    #: The File menu's history: "search", "import", "export", "backup", "backups".
    historyRequested = Signal(str)

    def __init__(self, window: QMainWindow, theme: str, *, data_dir: str, logs_dir: str) -> None:
        super().__init__(window)
        self._window = window
        menus = window.menuBar()
        file_menu = menus.addMenu("&File")
        self.new_action = file_menu.addAction("&New chat")
        self.new_action.setShortcut(QKeySequence.StandardKey.New)
        file_menu.addSeparator()
        _add_actions(
            file_menu,
            "history",
            self.historyRequested,
            (
                ("search", "&Search all chats…", "Ctrl+K"),
                ("", "", ""),
                ("import", "&Import chats…", "Ctrl+Shift+I"),
                ("export", "&Export chats…", "Ctrl+Shift+E"),
                ("", "", ""),
                ("backup", "&Back up now", ""),
                ("backups", "Backups and &restore…", ""),
                ("", "", ""),
            ),
        )
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(window.close)

        view = menus.addMenu("&View")
        self.sidebar_action = view.addAction("Show &sidebar")
        self.sidebar_action.setCheckable(True)
        self.sidebar_action.setChecked(True)
        self.sidebar_action.setShortcut(QKeySequence("Ctrl+B"))
        view.addSeparator()
        zoom_in = view.addAction("Zoom &in")
        zoom_in.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
        zoom_in.triggered.connect(lambda: self.zoomStepped.emit(1))
        zoom_out = view.addAction("Zoom &out")
        zoom_out.setShortcut(QKeySequence("Ctrl+-"))
        zoom_out.triggered.connect(lambda: self.zoomStepped.emit(-1))
        zoom_reset = view.addAction("&Actual size")
        zoom_reset.setShortcut(QKeySequence("Ctrl+0"))
        zoom_reset.triggered.connect(self.zoomReset)
        view.addSeparator()
        theme_menu = view.addMenu("&Theme")
        self.theme_group = QActionGroup(window)
        for value, label in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
            action = theme_menu.addAction(label)
            action.setCheckable(True)
            action.setData(value)
            action.setChecked(value == theme)
            self.theme_group.addAction(action)
        self.theme_group.triggered.connect(lambda a: self.themeRequested.emit(str(a.data())))

        chat = menus.addMenu("&Chat")
        _add_actions(
            chat,
            "chat",
            self.chatActionRequested,
            (
                ("edit", "&Edit last question\tUp", ""),
                ("regenerate", "&Answer again", "Ctrl+R"),
                ("previous", "&Previous alternative", "Alt+Left"),
                ("next", "&Next alternative", "Alt+Right"),
                ("", "", ""),
                ("summarise", "&Summarise earlier messages", "Ctrl+Shift+M"),
                ("overview", "&Update the chat's summary", ""),
            ),
        )
        self.chat_menu = chat

        self.presets_menu = menus.addMenu("&Presets")
        self.presets = PresetsMenu(self.presets_menu, window)
        self.tools_menu = menus.addMenu("&Tools")
        self.mcp_servers_action = self.tools_menu.addAction("&MCP Servers…")
        self.mcp_servers_action.triggered.connect(self.mcpServersRequested)
        activity = self.tools_menu.addAction("Tool &activity…")
        activity.setObjectName("toolActivity")
        activity.triggered.connect(self.toolActivityRequested)
        self.dictate_action = self.tools_menu.addAction("&Dictate")
        self.dictate_action.setShortcut(QKeySequence(TOGGLE_SHORTCUT))
        self.dictate_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.dictate_action.setEnabled(False)  # see MainWindow.install_dictation
        suggestions = self.tools_menu.addAction("&Suggestions…")
        suggestions.triggered.connect(self.suggestionsRequested)
        refresh_models = self.tools_menu.addAction("Refresh model list")
        refresh_models.triggered.connect(self.refreshModelsRequested)

        settings_menu = menus.addMenu("&Settings")
        self.settings_action = settings_menu.addAction("&Settings…")
        self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.settingsRequested)

        help_menu = menus.addMenu("&Help")
        help_menu.addAction("Open &data folder", lambda: _open_folder(data_dir))
        help_menu.addAction("Open &logs folder", lambda: _open_folder(logs_dir))
        help_menu.addSeparator()
        about = help_menu.addAction("&About chatdesk", self._about)
        about.setMenuRole(QAction.MenuRole.AboutRole)

    def _about(self) -> None:
        QMessageBox.about(
            self._window,
            "About chatdesk",
            f"<h3>chatdesk {__version__}</h3><p>A fast, local-first desktop chat app for large "
            "language models.</p><p>Your conversations stay on this computer; keys stay in "
            "your system keyring.</p>",
        )


def _add_actions(
    menu: QMenu,
    prefix: str,
    signal: SignalInstance,
    items: Sequence[tuple[str, str, str]],
) -> None:
    """Add (key, label, shortcut) actions that emit ``signal(key)``; an empty key is a
    separator."""
    for key, label, shortcut in items:
        if not key:
            menu.addSeparator()
            continue
        action = menu.addAction(label)
        action.setObjectName(f"{prefix}_{key}")
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False, k=key: signal.emit(k))


def _open_folder(path: str) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(path))
