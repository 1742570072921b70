"""The Presets menu, and PresetManager: the presets' one QObject between widgets and storage.

``PresetsMenu`` fills a given QMenu: one checkable entry per preset (the active one checked,
Ctrl+1…Ctrl+9 for the first nine), then "Save current as preset…" and "Manage presets…".
``PresetManager`` runs the store's coroutines through ``TaskRunner`` and reports back with
signals (widgets never await): the list after every change, a confirmation line, or a message
saying what went wrong. Importing this module loads neither asyncio nor the database (the
window paints before they load).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from chatdesk.errors import ChatdeskError
from chatdesk.ui.kit.task_runner import TaskRunner

if TYPE_CHECKING:  # the presets module loads after the first paint (see chatdesk.app)
    from chatdesk.core.presets import Preset
    from chatdesk.storage.presets import PresetStore

log = logging.getLogger(__name__)

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


class PresetManager(QObject):
    """Loads and changes presets in the background; the list comes back by ``presetsChanged``."""

    presetsChanged = Signal(object)  # list[Preset], in menu order
    saved = Signal(object)  # the Preset just created or updated
    done = Signal(str)  # a confirmation for the status bar
    failed = Signal(str)  # what went wrong, fit for the user

    def __init__(
        self,
        store: PresetStore | None,
        runner: TaskRunner,
        *,
        secrets: Callable[[], Iterable[str]] = lambda: (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._runner = runner
        self._secrets = secrets
        self.presets: list[Preset] = []
        #: Whether the list was loaded once (``presets`` is empty before that).
        self.loaded = False

    @property
    def store(self) -> PresetStore:
        """The store; ChatdeskError until ``attach_store`` (the database opens after the first
        paint)."""
        if self._store is None:
            raise ChatdeskError("The presets are still loading; try again in a moment.")
        return self._store

    def attach_store(self, store: PresetStore) -> None:
        """The store, once the database is open (then ``load`` fills the list)."""
        self._store = store

    def find(self, preset_id: int | None) -> Preset | None:
        """The loaded preset with this id."""
        return next((p for p in self.presets if p.id == preset_id), None)

    def names(self) -> list[str]:
        return [p.name for p in self.presets]

    # -- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        """Reload the list in the background."""
        self._runner.spawn(self.load(), key="presets")

    async def load(self) -> list[Preset]:
        """Reload the list now and announce it (nothing before ``attach_store``)."""
        if self._store is None:
            return []
        self.presets = await self._store.list_presets()
        self.loaded = True
        self.presetsChanged.emit(list(self.presets))
        return list(self.presets)

    # -- changes -------------------------------------------------------------------------

    def create(self, preset: Preset) -> None:
        self._spawn(self._save(lambda: self.store.create(preset), "Saved preset"))

    def update(self, preset: Preset) -> None:
        self._spawn(self._save(lambda: self.store.update(preset), "Updated preset"))

    def rename(self, preset_id: int, name: str) -> None:
        self._spawn(self._save(lambda: self.store.rename(preset_id, name), "Renamed preset to"))

    def duplicate(self, preset_id: int) -> None:
        self._spawn(self._save(lambda: self.store.duplicate(preset_id), "Created"))

    def delete(self, preset_id: int) -> None:
        preset = self.find(preset_id)
        name = preset.name if preset else "the preset"
        self._spawn(self._report(lambda: self.store.delete(preset_id), f"Deleted “{name}”"))

    def move(self, preset_id: int, offset: int) -> None:
        self._spawn(self._report(lambda: self.store.move(preset_id, offset), ""))

    def import_file(self, path: Path) -> None:
        """Add the presets of an exported file: all of them, or none and a message why."""
        self._spawn(self._import(path))

    def export_file(self, path: Path, preset_ids: Sequence[int] | None = None) -> None:
        """Write the presets (all, or ``preset_ids``) to ``path`` as JSON, without secrets."""
        self._spawn(self._export(path, preset_ids))

    # -- internals -----------------------------------------------------------------------

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self._runner.spawn(work)

    async def _save(self, work: Callable[[], Awaitable[Preset]], verb: str) -> None:
        try:
            preset = await work()
        except ChatdeskError as exc:
            await self.load()  # undo what a view showed ahead (an in-place rename)
            self.failed.emit(exc.user_message)
            return
        await self.load()
        self.saved.emit(preset)
        self.done.emit(f"{verb} “{preset.name}”")

    async def _report(self, work: Callable[[], Awaitable[object]], text: str) -> None:
        try:
            await work()
        except ChatdeskError as exc:
            self.failed.emit(exc.user_message)
        await self.load()
        if text:
            self.done.emit(text)

    async def _import(self, path: Path) -> None:
        import asyncio

        from chatdesk.core.preset_json import import_presets
        from chatdesk.core.presets import PresetError

        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.failed.emit(f"Could not read {path.name}: {reason}. Nothing was imported.")
            return
        try:
            presets = import_presets(text, await self.store.names())
            added = await self.store.import_presets(presets)
        except PresetError as exc:
            self.failed.emit(f"{path.name}: {exc.user_message}")
            return
        except ChatdeskError as exc:
            self.failed.emit(exc.user_message)
            return
        await self.load()
        names = ", ".join(p.name for p in added)
        self.done.emit(f"Imported {len(added)} preset{'s' if len(added) != 1 else ''}: {names}")

    async def _export(self, path: Path, preset_ids: Sequence[int] | None) -> None:
        import asyncio

        from chatdesk.core.preset_json import export_presets
        from chatdesk.files import atomic_write_text

        try:
            presets = await self.store.list_presets()
        except ChatdeskError as exc:
            self.failed.emit(exc.user_message)
            return
        if preset_ids is not None:
            presets = [p for p in presets if p.id in preset_ids]
        text = export_presets(presets, secrets=self._secrets())
        try:
            await asyncio.to_thread(atomic_write_text, path, text)
        except OSError as exc:
            self.failed.emit(f"Could not write {path}: {exc.strerror or exc}.")
            return
        count = len(presets)
        self.done.emit(f"Exported {count} preset{'s' if count != 1 else ''} to {path.name}")
