"""PresetsDialog: manage presets (list, edit, rename, duplicate, delete, reorder, import,
export); each preset opens in ``PresetEditorDialog``.

The dialog only talks to ``PresetManager`` (plain methods in, signals out) and never awaits.
File choosers and confirmations open with ``open()``, never a nested ``exec()`` loop.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.models import ModelInfo
from chatdesk.core.presets import Preset
from chatdesk.ui.presets.preset_editor_dialog import PresetEditorDialog
from chatdesk.ui.presets.preset_manager import PresetManager

ID_ROLE = Qt.ItemDataRole.UserRole
FILE_FILTER = "chatdesk presets (*.json);;All files (*)"


class PresetsDialog(QDialog):
    """The "Manage presets" window."""

    def __init__(
        self,
        manager: PresetManager,
        *,
        models: Sequence[ModelInfo] = (),
        servers: Sequence[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("presetsDialog")
        self.setWindowTitle("Manage presets")
        self.setMinimumSize(560, 380)
        self.manager = manager
        self._models = list(models)
        self._servers = list(servers)
        self._filling = False
        self.editor: PresetEditorDialog | None = None
        self.file_dialog: QFileDialog | None = None
        self.confirm: QMessageBox | None = None

        self.list = QListWidget(self)
        self.list.setObjectName("presetList")
        self.list.setAccessibleName("Presets")
        self.list.setEditTriggers(QListWidget.EditTrigger.EditKeyPressed)
        self.list.itemChanged.connect(self._renamed)
        self.list.itemActivated.connect(lambda _item: self.edit_selected())
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.status = QLabel("", self)
        self.status.setObjectName("presetsStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.new_button = self._button("&New…", self.new_preset)
        self.edit_button = self._button("&Edit…", self.edit_selected)
        self.rename_button = self._button("&Rename", self.rename_selected)
        self.duplicate_button = self._button("D&uplicate", self.duplicate_selected)
        self.delete_button = self._button("&Delete…", self.delete_selected)
        self.up_button = self._button("Move &up", lambda: self.move_selected(-1))
        self.down_button = self._button("Move do&wn", lambda: self.move_selected(1))
        self.import_button = self._button("&Import…", self.choose_import)
        self.export_button = self._button("E&xport…", self.choose_export)
        QShortcut(QKeySequence.StandardKey.Delete, self.list, self.delete_selected)
        QShortcut(QKeySequence("Alt+Up"), self.list, lambda: self.move_selected(-1))
        QShortcut(QKeySequence("Alt+Down"), self.list, lambda: self.move_selected(1))

        side = QVBoxLayout()
        for button in (
            self.new_button,
            self.edit_button,
            self.rename_button,
            self.duplicate_button,
            self.delete_button,
            self.up_button,
            self.down_button,
        ):
            side.addWidget(button)
        side.addStretch(1)
        side.addWidget(self.import_button)
        side.addWidget(self.export_button)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(side)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        for close_button in close.buttons():
            if isinstance(close_button, QPushButton):
                close_button.setAutoDefault(
                    False
                )  # Enter in the list edits; it never closes the window
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.status)
        layout.addWidget(close)

        manager.presetsChanged.connect(self.set_presets)
        manager.done.connect(self._show_done)
        manager.failed.connect(self._show_failed)
        self.set_presets(manager.presets)
        self.list.setFocus()

    def _button(self, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    # -- list ----------------------------------------------------------------------------

    def set_presets(self, presets: Sequence[Preset]) -> None:
        """Show ``presets``, keeping the selected one selected."""
        selected = self.selected_id()
        self._filling = True
        self.list.clear()
        for preset in presets:
            item = QListWidgetItem(preset.name, self.list)
            item.setData(ID_ROLE, preset.id)
            item.setToolTip(preset.model or "keeps the chosen model")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            if preset.id == selected:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self._filling = False
        self._update_buttons()

    def selected_id(self) -> int | None:
        item = self.list.currentItem()
        value = item.data(ID_ROLE) if item is not None else None
        return int(value) if value is not None else None

    def _update_buttons(self) -> None:
        has = self.selected_id() is not None
        row, count = self.list.currentRow(), self.list.count()
        for button in (
            self.edit_button,
            self.rename_button,
            self.duplicate_button,
            self.delete_button,
        ):
            button.setEnabled(has)
        self.up_button.setEnabled(has and row > 0)
        self.down_button.setEnabled(has and row < count - 1)
        self.export_button.setEnabled(count > 0)

    # -- actions -------------------------------------------------------------------------

    def new_preset(self) -> None:
        self._open_editor(Preset(""), "New preset")

    def edit_selected(self) -> None:
        preset = self.manager.find(self.selected_id())
        if preset is not None:
            self._open_editor(preset, f"Edit “{preset.name}”")

    def _open_editor(self, preset: Preset, title: str) -> None:
        self.editor = PresetEditorDialog(
            preset,
            models=self._models,
            servers=self._servers,
            taken_names=self.manager.names(),
            title=title,
            parent=self,
        )
        self.editor.accepted.connect(self._editor_saved)
        self.editor.open()

    def _editor_saved(self) -> None:
        result = self.editor.result_preset if self.editor is not None else None
        if result is None:
            return
        if result.id is None:
            self.manager.create(result)
        else:
            self.manager.update(result)

    def rename_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.list.editItem(item)

    def _renamed(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        preset = self.manager.find(item.data(ID_ROLE))
        if preset is not None and preset.id is not None and item.text() != preset.name:
            self.manager.rename(preset.id, item.text())

    def duplicate_selected(self) -> None:
        preset_id = self.selected_id()
        if preset_id is not None:
            self.manager.duplicate(preset_id)

    def delete_selected(self) -> None:
        preset = self.manager.find(self.selected_id())
        if preset is None or preset.id is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Delete preset",
            f"Delete the preset “{preset.name}”? Conversations that used it keep their messages "
            "and model.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setObjectName("confirmDeletePreset")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        preset_id = preset.id
        yes = box.button(QMessageBox.StandardButton.Yes)
        box.buttonClicked.connect(
            lambda button: self.manager.delete(preset_id) if button is yes else None
        )
        self.confirm = box
        box.open()

    def move_selected(self, offset: int) -> None:
        preset_id = self.selected_id()
        if preset_id is not None:
            self.manager.move(preset_id, offset)

    def choose_import(self) -> None:
        dialog = QFileDialog(self, "Import presets", "", FILE_FILTER)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(lambda path: self.manager.import_file(Path(path)))
        self.file_dialog = dialog
        dialog.open()

    def choose_export(self) -> None:
        dialog = QFileDialog(self, "Export presets", "chatdesk-presets.json", FILE_FILTER)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix("json")
        dialog.fileSelected.connect(lambda path: self.manager.export_file(Path(path)))
        self.file_dialog = dialog
        dialog.open()

    # -- feedback ------------------------------------------------------------------------

    def _show_done(self, text: str) -> None:
        self.status.setProperty("level", "info")
        self.status.setText(f"✓  {text}")

    def _show_failed(self, text: str) -> None:
        self.status.setProperty("level", "error")
        self.status.setText(f"⛔  {text}")
