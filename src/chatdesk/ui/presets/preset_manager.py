"""PresetManager: the presets' one QObject between widgets and storage.

It runs the store's coroutines through ``TaskRunner`` and reports back with signals (widgets
never await): the list after every change, a confirmation line, or a message saying what went
wrong — the ``StoreService`` pattern. Importing this module loads neither asyncio nor the
database (the window paints before they load).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from chatdesk.errors import ChatdeskError
from chatdesk.ui.kit.store_service import StoreService
from chatdesk.ui.kit.task_runner import TaskRunner

if TYPE_CHECKING:  # the presets module loads after the first paint (see chatdesk.app)
    from chatdesk.core.presets import Preset
    from chatdesk.storage.presets import PresetStore


class PresetManager(StoreService):
    """Loads and changes presets in the background; the list comes back by ``presetsChanged``."""

    presetsChanged = Signal(object)  # list[Preset], in menu order
    saved = Signal(object)  # the Preset just created or updated

    def __init__(
        self,
        store: PresetStore | None,
        runner: TaskRunner,
        *,
        secrets: Callable[[], Iterable[str]] = lambda: (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(runner, parent)
        self._store = store
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
        from chatdesk.core.preset_json import import_presets
        from chatdesk.core.presets import PresetError

        try:
            text = await self.off_loop(_read_text, path)
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
            await self.off_loop(atomic_write_text, path, text)
        except OSError as exc:
            self.failed.emit(f"Could not write {path}: {exc.strerror or exc}.")
            return
        count = len(presets)
        self.done.emit(f"Exported {count} preset{'s' if count != 1 else ''} to {path.name}")


def _read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")
