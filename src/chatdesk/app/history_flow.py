"""HistoryFlow: the search palette (Ctrl+K), import, export, backups and restore, the daily
backup, the start-up health check, and noticing changes made by another process.

The work itself (chatdesk.history) runs in worker threads on connections of its own, so the
window never waits for it; results come back to the widgets on the Qt thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QStandardPaths, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from chatdesk import paths
from chatdesk.app.context import AppContext
from chatdesk.app.flow import Flow
from chatdesk.errors import ChatdeskError
from chatdesk.ui.chat.chat_controller import ChatController
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    from chatdesk.history.backups import BackupInfo
    from chatdesk.history.importer import ImportProgress
    from chatdesk.ui.history.backups_dialog import BackupsDialog
    from chatdesk.ui.history.export_dialog import ExportChoice
    from chatdesk.ui.history.search_palette import SearchPalette, SearchRequest

log = logging.getLogger(__name__)
T = TypeVar("T")

#: How often the database is checked for changes made by another process (ms).
POLL_MS = 2000
#: How often a daily backup is looked for, and how long after the start the first look is (ms).
BACKUP_CHECK_MS = 3600 * 1000
FIRST_BACKUP_CHECK_MS = 90 * 1000
#: Progress reaches the dialog at most this often (s).
PROGRESS_EVERY = 0.1


async def _in_thread(work: Callable[[], T]) -> T:
    import asyncio

    return await asyncio.to_thread(work)


class HistoryFlow(Flow):
    """Connects the File menu's history actions to chatdesk.history and back to the window."""

    def __init__(
        self,
        ctx: AppContext,
        window: MainWindow,
        controller: ChatController,
        runner: TaskRunner,
        *,
        after_restore: Callable[[], Awaitable[None]],
    ) -> None:
        super().__init__(ctx, window, controller, runner)
        self._after_restore = after_restore
        self._palette: SearchPalette | None = None
        self._backups: BackupsDialog | None = None
        self._data_version: int | None = None
        self._busy = False  # a backup or restore is running
        self._poll = QTimer(window)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check_changes)
        self._daily = QTimer(window)
        self._daily.setInterval(BACKUP_CHECK_MS)
        self._daily.timeout.connect(self.backup_if_due)
        window.historyRequested.connect(self.handle)
        window.exportChatsRequested.connect(self.choose_export)

    @property
    def db_path(self) -> Path:
        return paths.database_file(self._ctx.data_dir)

    def handle(self, action: str) -> None:
        """A File menu action: "search", "import", "export", "backup" or "backups"."""
        {
            "search": self.open_palette,
            "import": self.choose_import,
            "export": self.choose_export,
            "backup": self.back_up_now,
            "backups": self.open_backups,
        }.get(action, lambda: None)()

    # -- start and changes from outside ---------------------------------------------------

    def start(self, first_check_ms: int = FIRST_BACKUP_CHECK_MS) -> None:
        """After the first paint: watch for other processes' changes; back up daily."""
        self._poll.start()
        self._daily.start()
        QTimer.singleShot(first_check_ms, self._window, self.backup_if_due)

    def stop(self) -> None:
        self._poll.stop()
        self._daily.stop()

    def _check_changes(self) -> None:
        if self._runner.running("data-version") is None:
            self._runner.spawn(self._changes(), key="data-version")

    async def _changes(self) -> None:
        repo = await self._controller.db()
        version = await repo.data_version()
        if self._data_version is not None and version != self._data_version:
            log.info("the database was changed by another process: refreshing the chat list")
            await self._controller.reload_conversations()
        self._data_version = version

    # -- search palette ---------------------------------------------------------------------

    def open_palette(self) -> None:
        from chatdesk.ui.history.search_palette import SearchPalette

        palette = self._palette
        if palette is None:
            palette = self._palette = SearchPalette(self._window, dark=self._ctx.dark)
            palette.searchRequested.connect(self._search)
            palette.openRequested.connect(self._open_result)
        palette.open_over(self._window, self._controller.conversation_id)

    def _search(self, request: SearchRequest) -> None:
        self._runner.spawn(self._run_search(request), key="palette-search")

    async def _run_search(self, request: SearchRequest) -> None:
        assert self._palette is not None
        try:
            repo = await self._controller.db()
            hits = await repo.search_messages(request.text, request.where)
        except ChatdeskError as exc:
            self._palette.show_problem(exc.user_message)
            return
        self._palette.show_results(request, hits)

    def _open_result(self, message_id: int) -> None:
        self._controller.branches.open_message(message_id)
        self._window.focus_composer()

    # -- import -----------------------------------------------------------------------------

    def choose_import(self) -> None:
        start = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
        if not Path(start).is_dir():
            start = str(Path.home())
        chosen, _ = QFileDialog.getOpenFileNames(
            self._window,
            "Import chats",
            start,
            "Chat exports (*.zip *.json);;All files (*)",
        )
        if chosen:
            self._runner.spawn(self.import_files([Path(p) for p in chosen]), key="import")

    async def import_files(self, files: list[Path]) -> None:
        """Import ``files`` one after another, each with its progress dialog."""
        for path in files:
            if not await self._import_one(path):
                break

    async def _import_one(self, path: Path) -> bool:
        import asyncio

        from chatdesk.history.importer import import_file
        from chatdesk.ui.history.import_dialog import ImportDialog

        loop = asyncio.get_running_loop()
        dialog = ImportDialog(path, self._window)
        cancel = threading.Event()
        dialog.cancelRequested.connect(cancel.set)
        dialog.openRequested.connect(self._controller.open_conversation)
        self._window.open_dialog(dialog)
        last = [0.0]

        def progress(p: ImportProgress) -> None:  # in the worker thread
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY:
                last[0] = now
                loop.call_soon_threadsafe(dialog.show_progress, p)

        try:
            report = await _in_thread(
                lambda: import_file(self.db_path, path, progress=progress, cancel=cancel)
            )
        except ChatdeskError as exc:
            dialog.show_failure(exc.user_message)
            return True
        except Exception as exc:  # a bug must not leave the dialog spinning
            log.exception("import of %s failed", path)
            dialog.show_failure(f"Could not import {path}: {exc}")
            return True
        dialog.show_report(report)
        await self._controller.reload_conversations()
        return not report.cancelled

    # -- export -----------------------------------------------------------------------------

    def choose_export(self, chosen: tuple[int, ...] | None = None) -> None:
        """Ask what to export: ``chosen`` (from the chat list's menu), else the open chat, the
        chats selected in the list, or all."""
        from chatdesk.ui.history.export_dialog import ExportDialog

        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        if not Path(folder).is_dir():
            folder = str(Path.home())
        dialog = ExportDialog(
            current=self._controller.conversation_id,
            selected=chosen if chosen else self._window.selected_conversations(),
            from_list=bool(chosen),
            total=len(self._window.sidebar.conversation_ids()),
            folder=Path(folder or Path.home()) / "chatdesk exports",
            dark=self._ctx.dark,
            parent=self._window,
        )
        dialog.accepted.connect(lambda: self._export(dialog.choice()))
        self._window.open_dialog(dialog)

    def _export(self, choice: ExportChoice) -> None:
        self._runner.spawn(self.export(choice), key="export")

    async def export(self, choice: ExportChoice) -> None:
        from chatdesk.history.exporter import export_chats

        self._window.status("Exporting…")
        try:
            report = await _in_thread(
                lambda: export_chats(
                    self.db_path,
                    choice.folder,
                    choice.fmt,
                    choice.ids,
                    dark=choice.dark,
                    include_files=choice.include_files,
                )
            )
        except ChatdeskError as exc:
            self._window.status("")
            self._window.notify("error", exc.user_message)
            return
        self._window.status("")
        self._window.notify("info", report.summary())

    # -- backups ------------------------------------------------------------------------------

    def backup_if_due(self) -> None:
        if not self._busy and self._runner.running("backup") is None:
            self._runner.spawn(self._backup(kind="daily", only_if_due=True), key="backup")

    def back_up_now(self) -> None:
        if self._busy:
            self._window.status("A backup or restore is already running.", 4000)
            return
        self._runner.spawn(self._backup(kind="manual"), key="backup")

    async def _backup(self, *, kind: str, only_if_due: bool = False) -> Path | None:
        from chatdesk.history.backups import backup_due, make_backup, prune_backups

        data_dir, keep = self._ctx.data_dir, self._ctx.settings.backups_keep
        if only_if_due and not await _in_thread(lambda: backup_due(data_dir, time.time())):
            return None
        if not self.db_path.is_file():
            return None
        self._busy = True
        if self._backups is not None:
            self._backups.set_busy("Backing up…")
        try:
            target = await _in_thread(lambda: make_backup(self.db_path, kind=kind))
            await _in_thread(lambda: prune_backups(data_dir, keep))
        except ChatdeskError as exc:
            self._window.notify("error", exc.user_message)
            self._done(f"The backup failed: {exc.user_message}")
            return None
        finally:
            self._busy = False
        await self._upload(target)
        text = f"Backed up the chats to {target.name}."
        self._done(text)
        if kind == "manual":
            self._window.status(text, 6000)
        log.info("%s backup: %s", kind, target)
        return target

    async def _upload(self, target: Path) -> None:
        settings = self._ctx.settings
        if not (settings.backups_to_gcs and settings.attachments_gcs_bucket):
            return
        from chatdesk.history.cloud_backup import upload_backup

        try:
            await _in_thread(lambda: upload_backup(target, settings))
        except ChatdeskError as exc:
            self._window.notify("warning", exc.user_message)

    def _done(self, text: str) -> None:
        if self._backups is not None:
            self._backups.set_done(text)
            self._runner.spawn(self._list_backups(), key="backups-list")

    def open_backups(self) -> None:
        from chatdesk.history.backups import backups_dir
        from chatdesk.ui.history.backups_dialog import BackupsDialog

        folder = backups_dir(self._ctx.data_dir)
        dialog = self._backups = BackupsDialog(
            folder, self._ctx.settings.backups_keep, self._window
        )
        dialog.backupRequested.connect(self.back_up_now)
        dialog.restoreRequested.connect(self.restore)
        dialog.inspectRequested.connect(self._inspect_file)
        settings = self._ctx.settings
        dialog.offer_cloud(bool(settings.backups_to_gcs and settings.attachments_gcs_bucket))
        dialog.cloudRequested.connect(self._from_cloud)
        dialog.openFolderRequested.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        )
        dialog.finished.connect(self._backups_closed)
        self._window.open_dialog(dialog)
        self._runner.spawn(self._list_backups(), key="backups-list")

    def _backups_closed(self, _result: int) -> None:
        self._backups = None

    async def _list_backups(self) -> None:
        from chatdesk.history.backups import list_backups

        found = await _in_thread(lambda: list_backups(self._ctx.data_dir))
        if self._backups is not None:
            self._backups.set_backups(found)

    def _from_cloud(self) -> None:
        self._runner.spawn(self._cloud_restore(), key="backups-cloud")

    async def _cloud_restore(self) -> None:
        """List the bucket's backups, download the chosen one into backups/, then restore it
        as a file chosen by hand (checked and confirmed first)."""
        from chatdesk.history.backups import backups_dir
        from chatdesk.history.cloud_backup import download_backup, list_cloud_backups
        from chatdesk.history.model import count

        settings, dialog = self._ctx.settings, self._backups
        if dialog is None:
            return
        dialog.set_busy("Reading your bucket…")
        try:
            names = await _in_thread(lambda: list_cloud_backups(settings))
        except ChatdeskError as exc:
            dialog.set_done(exc.user_message)
            return
        dialog.set_done(f"{count(len(names), 'backup')} in your bucket.")
        name = dialog.choose_cloud_backup(names)
        if name is None:
            return
        target = backups_dir(self._ctx.data_dir) / name
        dialog.set_busy(f"Downloading {name}…")
        try:
            await _in_thread(lambda: target.parent.mkdir(parents=True, exist_ok=True))
            await _in_thread(lambda: download_backup(name, target, settings))
        except (ChatdeskError, OSError) as exc:
            text = exc.user_message if isinstance(exc, ChatdeskError) else str(exc)
            dialog.set_done(f"Could not download {name}: {text}")
            return
        dialog.set_done(f"Downloaded {name}.")
        await self._inspect(target)

    def _inspect_file(self, path: Path) -> None:
        self._runner.spawn(self._inspect(path), key="backups-inspect")

    async def _inspect(self, path: Path) -> None:
        from chatdesk.history.backups import inspect_backup
        from chatdesk.ui.history.backups_dialog import confirm_restore

        try:
            info = await _in_thread(lambda: inspect_backup(path))
        except ChatdeskError as exc:
            QMessageBox.warning(self._window, "Not a usable backup", exc.user_message)
            return
        if confirm_restore(self._backups or self._window, info):
            self.restore(info)

    def restore(self, info: BackupInfo) -> None:
        """Restore the (confirmed) backup ``info``."""
        if self._busy:
            self._window.status("A backup or restore is already running.", 4000)
            return
        self._runner.spawn(self._restore(info), key="restore")

    async def _restore(self, info: BackupInfo) -> None:
        from chatdesk.history.backups import restore_backup

        self._busy = True
        if self._backups is not None:
            self._backups.set_busy("Restoring…")
        try:
            await self._controller.stop_and_wait()
            safety = await _in_thread(lambda: restore_backup(self.db_path, info.path))
        except ChatdeskError as exc:
            self._window.notify("error", exc.user_message)
            self._done(f"Nothing was changed: {exc.user_message}")
            return
        finally:
            self._busy = False
        await self._after_restore()
        text = (
            f"Restored {info.chats:,} chats from the backup of "
            f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(info.created_at))}. "
            f"The chats it replaced are kept in {safety.name}."
        )
        self._done(text)
        self._window.notify("info", text)

    # -- start-up health --------------------------------------------------------------------

    async def check_at_start(self, *, force: bool = False) -> tuple[str, Path] | None:
        """Before the database opens: when a check is due (or ``force``), a damaged database is
        moved aside. Returns (problem, where it went), or None when it is healthy."""
        from chatdesk.history.backups import check_database, check_due, mark_checked, move_aside

        db_path = self.db_path
        if not force and not await _in_thread(lambda: check_due(db_path, time.time())):
            return None
        problem = await _in_thread(lambda: check_database(db_path))
        if problem is None:
            await _in_thread(lambda: mark_checked(db_path))
            return None
        moved = await _in_thread(lambda: move_aside(db_path))
        log.error("the chat database failed its check (%s); moved aside to %s", problem, moved)
        return problem, moved

    def offer_recovery(self, problem: str, moved: Path) -> None:
        """After a damaged database was moved aside: offer the newest good backup."""
        self._runner.spawn(self._offer(problem, moved), key="recovery")

    async def _offer(self, problem: str, moved: Path) -> None:
        from chatdesk.history.backups import inspect_backup, list_backups

        text = (
            f"The chat database was damaged ({problem}) and was moved aside to {moved}. "
            "chatdesk started with an empty one."
        )
        candidates = await _in_thread(lambda: list_backups(self._ctx.data_dir))
        good: BackupInfo | None = None
        for candidate in candidates:
            try:
                good = await _in_thread(lambda c=candidate: inspect_backup(c.path))  # type: ignore[misc]
                break
            except ChatdeskError:
                continue
        if good is None:
            self._window.notify("error", text + " No backup was found to restore.")
            return
        answer = QMessageBox.warning(
            self._window,
            "The chat database was damaged",
            f"{text}\n\nRestore the newest good backup, from "
            f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(good.created_at))} "
            f"({good.chats:,} chats, {good.messages:,} messages)?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restore(good)
        else:
            self._window.notify("warning", text)
