"""BackupsDialog: the backups in the data dir (date, kind, chats, messages, size), "Back up
now", and "Restore…" with a confirmation that says what will happen."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.attachments.names import human_size
from chatdesk.history.model import count

if TYPE_CHECKING:
    from chatdesk.history.backups import BackupInfo

__all__ = ["BackupsDialog", "confirm_restore"]

_KINDS = {"daily": "Daily", "manual": "By hand", "before-restore": "Before a restore", "": "File"}
_PATH_ROLE = Qt.ItemDataRole.UserRole


def _when(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def confirm_restore(parent: QWidget, info: BackupInfo) -> bool:
    """Ask before every chat is replaced by the backup's."""
    answer = QMessageBox.question(
        parent,
        "Restore a backup",
        f"Replace every chat with the {info.chats:,} chats ({info.messages:,} messages) of "
        f"the backup from {_when(info.created_at)}?\n\nYour chats as they are now are kept "
        "first, as a backup of their own, so this can be undone.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class BackupsDialog(QDialog):
    """Lists backups; says what the user wants done (the flow does it and calls back)."""

    backupRequested = Signal()
    restoreRequested = Signal(object)  # BackupInfo (confirmed)
    inspectRequested = Signal(object)  # Path of a file chosen by hand, to be read and confirmed
    openFolderRequested = Signal()
    #: List the backups in the user's bucket (another computer's too), to restore one.
    cloudRequested = Signal()

    def __init__(self, folder: Path, keep: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupsDialog")
        self.setWindowTitle("Backups")
        self.resize(640, 380)
        self._folder = folder
        intro = QLabel(
            f"chatdesk backs up your chats every day into <b>{folder}</b> and keeps the newest "
            f"{keep}. A backup restores on any computer.",
            self,
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.table = QTreeWidget(self)
        self.table.setObjectName("backupsTable")
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(["Made", "Kind", "Chats", "Messages", "Size"])
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.itemDoubleClicked.connect(lambda *_: self._restore_selected())
        self.state = QLabel("Reading the backups…", self)
        self.state.setWordWrap(True)
        self.backup_button = QPushButton("&Back up now", self)
        self.restore_button = QPushButton("&Restore…", self)
        self.restore_button.setEnabled(False)
        file_button = QPushButton("Restore from a &file…", self)
        folder_button = QPushButton("&Open the folder", self)
        self.cloud_button = QPushButton("From my b&ucket…", self)
        self.cloud_button.setToolTip("Backups copied to your Google Cloud Storage bucket")
        self.cloud_button.hide()
        self.cloud_button.clicked.connect(self.cloudRequested)
        self.backup_button.clicked.connect(self.backupRequested)
        self.restore_button.clicked.connect(self._restore_selected)
        file_button.clicked.connect(self._choose_file)
        folder_button.clicked.connect(self.openFolderRequested)
        self.table.itemSelectionChanged.connect(
            lambda: self.restore_button.setEnabled(bool(self.table.selectedItems()))
        )
        row = QHBoxLayout()
        buttons = (self.backup_button, self.restore_button, file_button, self.cloud_button)
        for button in (*buttons, folder_button):
            row.addWidget(button)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.state)
        layout.addLayout(row)
        layout.addWidget(close)
        self._infos: dict[str, BackupInfo] = {}

    def set_backups(self, backups: Sequence[BackupInfo]) -> None:
        """Show ``backups`` (newest first)."""
        self.table.clear()
        self._infos = {str(b.path): b for b in backups}
        for info in backups:
            item = QTreeWidgetItem(
                [
                    _when(info.created_at),
                    _KINDS.get(info.kind, info.kind),
                    f"{info.chats:,}",
                    f"{info.messages:,}",
                    human_size(info.size_bytes),
                ]
            )
            item.setData(0, _PATH_ROLE, str(info.path))
            item.setToolTip(0, str(info.path))
            self.table.addTopLevelItem(item)
        for column in range(5):
            self.table.resizeColumnToContents(column)
        first = self.table.topLevelItem(0)
        if first is not None:
            self.table.setCurrentItem(first)
        self.state.setText(
            f"{count(len(backups), 'backup')}."
            if backups
            else "No backups yet: “Back up now” makes one."
        )

    def offer_cloud(self, offered: bool) -> None:
        """Show "From my bucket…" (backups go to the user's bucket)."""
        self.cloud_button.setVisible(offered)

    def choose_cloud_backup(self, names: Sequence[tuple[str, int]]) -> str | None:
        """Ask which of the bucket's backups (name, size) to restore; None: none chosen."""
        if not names:
            QMessageBox.information(self, "Your bucket", "There are no backups in your bucket yet.")
            return None
        labels = [f"{name}  ({human_size(size)})" for name, size in names]
        chosen, ok = QInputDialog.getItem(
            self, "Restore from your bucket", "Backup to download and restore:", labels, 0, False
        )
        return names[labels.index(chosen)][0] if ok and chosen in labels else None

    def set_busy(self, text: str) -> None:
        """Work is under way: say so and hold the buttons."""
        self.state.setText(text)
        self.backup_button.setEnabled(False)
        self.restore_button.setEnabled(False)

    def set_done(self, text: str) -> None:
        """The work ended (``text`` says how)."""
        self.state.setText(text)
        self.backup_button.setEnabled(True)
        self.restore_button.setEnabled(bool(self.table.selectedItems()))

    def _restore_selected(self) -> None:
        items = self.table.selectedItems()
        info = self._infos.get(str(items[0].data(0, _PATH_ROLE))) if items else None
        if info is not None and confirm_restore(self, info):
            self.restoreRequested.emit(info)

    def _choose_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            "Restore from a backup file",
            str(self._folder),
            "chatdesk backups (*.db);;All files (*)",
        )
        if chosen:
            self.inspectRequested.emit(Path(chosen))
