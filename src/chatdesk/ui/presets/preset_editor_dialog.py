"""PresetEditorDialog: edit one preset (or a new one); also "Save current as preset…"
(``open_save_current``), which stores the new preset through ``PresetManager``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.models import ModelInfo
from chatdesk.core.presets import Preset, check_preset, name_problem, preset_problems
from chatdesk.ui.presets.model_settings_panel import ModelSettingsPanel
from chatdesk.ui.presets.preset_manager import PresetManager


class PresetEditorDialog(QDialog):
    """Edit a preset (or a new one); on Save, ``result_preset`` holds the checked preset."""

    def __init__(
        self,
        preset: Preset,
        *,
        models: Sequence[ModelInfo] = (),
        servers: Sequence[str] = (),
        taken_names: Sequence[str] = (),
        title: str = "Edit preset",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("presetEditor")
        self.setWindowTitle(title)
        self.setMinimumWidth(640)
        self._original = preset
        own = preset.name.strip().casefold() if preset.id is not None else None
        self._taken = {n.strip().casefold() for n in taken_names} - {own}
        self.result_preset: Preset | None = None

        self.name_edit = QLineEdit(preset.name, self)
        self.name_edit.setObjectName("presetNameEdit")
        self.name_edit.setAccessibleName("Preset name")
        self.name_edit.selectAll()
        self.panel = ModelSettingsPanel(self, models=models, servers=servers)
        self.panel.set_preset(preset)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("presetEditorError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.try_accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons

        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.name_edit.setFocus()

    def try_accept(self) -> None:
        """Save if the preset is valid and its name free; else say what is wrong and stay."""
        name = self.name_edit.text()
        preset = replace(
            self.panel.preset(name), id=self._original.id, position=self._original.position
        )
        problems = preset_problems(preset)
        if name_problem(name) is None and name.strip().casefold() in self._taken:
            problems.insert(0, f"A preset named “{name.strip()}” already exists.")
        if problems:
            self.error_label.setText("⛔  " + "\n".join(_sentence(p) for p in problems))
            self.error_label.show()
            if name_problem(name) is not None or problems[0].startswith("A preset named"):
                self.name_edit.setFocus()
            return
        self.result_preset = check_preset(preset)
        self.accept()


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def open_save_current(
    manager: PresetManager,
    current: Preset,
    *,
    models: Sequence[ModelInfo] = (),
    servers: Sequence[str] = (),
    parent: QWidget | None = None,
) -> PresetEditorDialog:
    """ "Save current as preset…": the editor filled with ``current``; Save stores a new preset
    through ``manager`` (its ``saved`` signal follows)."""
    dialog = PresetEditorDialog(
        replace(current, id=None),
        models=models,
        servers=servers,
        taken_names=manager.names(),
        title="Save current as preset",
        parent=parent,
    )
    dialog.accepted.connect(lambda: _create(manager, dialog))
    dialog.open()
    return dialog


def _create(manager: PresetManager, dialog: PresetEditorDialog) -> None:
    if dialog.result_preset is not None:
        manager.create(dialog.result_preset)
