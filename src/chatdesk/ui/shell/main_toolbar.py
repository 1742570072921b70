"""MainToolbar: the sidebar toggle, the model picker and the active preset's name."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QToolBar, QWidget

from chatdesk.ui.shell.model_picker import ModelPicker


class MainToolbar(QToolBar):
    """The window's one toolbar; it cannot be moved or floated."""

    def __init__(self, model_picker: ModelPicker, parent: QWidget | None = None) -> None:
        super().__init__("Main", parent)
        self.setObjectName("mainToolbar")
        self.setMovable(False)
        self.setFloatable(False)
        self.sidebar_toggle = QAction("☰", self)
        self.sidebar_toggle.setToolTip("Show or hide the sidebar (Ctrl+B)")
        self.addAction(self.sidebar_toggle)
        self.addSeparator()
        self.addWidget(QLabel(" Model ", self))
        self.addWidget(model_picker)
        self.preset_label = QLabel("", self)
        self.preset_label.setObjectName("presetLabel")
        self.addWidget(self.preset_label)
        spacer = QWidget(self)
        spacer.setSizePolicy(
            spacer.sizePolicy().Policy.Expanding, spacer.sizePolicy().Policy.Preferred
        )
        self.addWidget(spacer)

    def show_preset(self, name: str | None) -> None:
        """Name the active preset (None: no preset)."""
        self.preset_label.setText(f"  Preset: {name}  " if name else "")
        self.preset_label.setToolTip(
            f"Active preset: {name} (Presets menu, Ctrl+1…Ctrl+9)" if name else ""
        )

    def polish_now(self) -> None:
        """The toolbar's layout reads its spacing and padding from the style only on a style
        change: without one it keeps Fusion's until the first theme switch."""
        self.ensurePolished()
        QApplication.sendEvent(self, QEvent(QEvent.Type.StyleChange))
