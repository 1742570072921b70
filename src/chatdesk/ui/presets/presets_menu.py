"""PresetsMenu: fills a given QMenu with one checkable entry per preset (the active one
checked, Ctrl+1…Ctrl+9 for the first nine), then "Save current as preset…" and "Manage
presets…". Importing this module loads neither asyncio nor the database (the window paints
before they load).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:  # the presets module loads after the first paint (see chatdesk.app.main)
    from chatdesk.core.presets import Preset

__all__ = ["SAVE_SHORTCUT", "SHORTCUT_COUNT", "PresetsMenu", "menu_text"]

#: How many presets get a Ctrl+<digit> shortcut.
SHORTCUT_COUNT = 9
SAVE_SHORTCUT = "Ctrl+Shift+S"


def menu_text(index: int, name: str) -> str:
    """The menu entry of the preset at ``index`` (0-based): "&1  Name" (ampersands escaped)."""
    label = name.replace("&", "&&")
    return f"&{index + 1}  {label}" if index < SHORTCUT_COUNT else label


class PresetsMenu(QObject):
    """Keeps a QMenu listing the presets; emits what the person chose."""

    presetChosen = Signal(int)  # preset id
    saveRequested = Signal()
    manageRequested = Signal()

    def __init__(self, menu: QMenu, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else menu)
        self.menu = menu
        self._group: QActionGroup | None = None
        self._actions: dict[int, QAction] = {}
        self._active: int | None = None
        self.set_presets([])

    def set_presets(self, presets: Sequence[Preset], active_id: int | None = None) -> None:
        """Rebuild the menu from ``presets`` (in order), checking ``active_id``."""
        self.menu.clear()
        if self._group is not None:
            self._group.deleteLater()
        self._group = QActionGroup(self)
        self._group.setExclusive(True)
        self._actions = {}
        self._active = active_id
        for index, preset in enumerate(presets):
            if preset.id is None:
                continue
            action = self.menu.addAction(menu_text(index, preset.name))
            action.setObjectName(f"preset_{preset.id}")
            action.setCheckable(True)
            action.setChecked(preset.id == active_id)
            action.setToolTip(preset.model or "keeps the chosen model")
            if index < SHORTCUT_COUNT:
                action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _checked=False, pid=preset.id: self._chosen(pid))
            self._group.addAction(action)
            self._actions[preset.id] = action
        if not self._actions:
            empty = self.menu.addAction("No presets yet")
            empty.setEnabled(False)
        self.menu.addSeparator()
        self.save_action = self.menu.addAction("&Save current as preset…")
        self.save_action.setObjectName("savePresetAction")
        self.save_action.setShortcut(QKeySequence(SAVE_SHORTCUT))
        self.save_action.triggered.connect(self.saveRequested)
        self.manage_action = self.menu.addAction("&Manage presets…")
        self.manage_action.setObjectName("managePresetsAction")
        self.manage_action.triggered.connect(self.manageRequested)

    def set_active(self, preset_id: int | None) -> None:
        """Check ``preset_id``'s entry (None: no preset, nothing checked)."""
        self._active = preset_id
        for pid, action in self._actions.items():
            action.setChecked(pid == preset_id)

    @property
    def active_id(self) -> int | None:
        return self._active

    def action_for(self, preset_id: int) -> QAction | None:
        """The menu entry of a preset."""
        return self._actions.get(preset_id)

    def _chosen(self, preset_id: int) -> None:
        self.set_active(preset_id)
        self.presetChosen.emit(preset_id)
