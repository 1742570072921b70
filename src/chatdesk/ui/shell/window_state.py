"""WindowState: what the main window remembers between runs (QSettings, an INI file)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

ZOOM_STEPS = (70, 80, 90, 100, 110, 125, 150, 175, 200)


def next_zoom(current: int, step: int) -> int:
    """The zoom ``step`` steps (+1 in, -1 out) from the step nearest ``current``."""
    steps = list(ZOOM_STEPS)
    nearest = min(range(len(steps)), key=lambda i: abs(steps[i] - current))
    return steps[max(0, min(len(steps) - 1, nearest + step))]


class WindowState:
    """Geometry, splitter, sidebar, zoom, the last conversation and the unsent drafts, read and
    written."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def zoom(self) -> int:
        return int(str(self._settings.value("view/zoom", 100)))

    def set_zoom(self, percent: int) -> None:
        self._settings.setValue("view/zoom", percent)

    def last_conversation(self) -> int | None:
        value = int(str(self._settings.value("session/last_conversation", 0)) or 0)
        return value or None

    def set_last_conversation(self, conversation_id: int | None) -> None:
        self._settings.setValue("session/last_conversation", conversation_id or 0)

    def drafts(self) -> dict[int | None, str]:
        """Unsent text by conversation (None: a new chat), as last saved."""
        import json

        drafts: dict[int | None, str] = {}
        raw = str(self._settings.value("session/drafts", "") or "")
        try:
            stored = json.loads(raw) if raw else {}
        except ValueError:
            stored = {}
        if isinstance(stored, dict):
            for key, text in stored.items():
                if isinstance(text, str) and text.strip() and (key == "new" or key.isdigit()):
                    drafts[None if key == "new" else int(key)] = text
        old = str(self._settings.value("session/draft", "") or "")  # before per-chat drafts
        if old.strip() and not drafts:
            drafts[self.last_conversation()] = old
        return drafts

    def set_drafts(self, drafts: dict[int | None, str]) -> None:
        """Remember unsent text by conversation (written at once: kept through a crash)."""
        import json

        stored = {("new" if k is None else str(k)): v for k, v in drafts.items() if v.strip()}
        self._settings.setValue("session/drafts", json.dumps(stored, ensure_ascii=False))
        self._settings.remove("session/draft")
        self._settings.sync()

    def restore(self, window: QMainWindow, splitter: QSplitter) -> bool:
        """Put geometry and splitter back (a default size the first time); returns whether
        the sidebar was shown."""
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            window.restoreGeometry(geometry)
        else:
            window.resize(1180, 780)
        sizes = self._settings.value("window/splitter")
        if isinstance(sizes, QByteArray) and not sizes.isEmpty():
            splitter.restoreState(sizes)
        return str(self._settings.value("view/sidebar", "true")).lower() != "false"

    def save(self, window: QMainWindow, splitter: QSplitter, sidebar_shown: bool) -> None:
        """Remember the layout."""
        self._settings.setValue("window/geometry", window.saveGeometry())
        self._settings.setValue("window/splitter", splitter.saveState())
        self._settings.setValue("view/sidebar", sidebar_shown)
        self._settings.sync()
