"""ExportDialog: what to export (this chat, the chats selected in the sidebar, or all), as
what (Markdown, HTML in light or dark, JSON with or without the files) and where."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from chatdesk.history.exporter import Format


__all__ = ["ExportChoice", "ExportDialog"]


@dataclass(frozen=True, slots=True)
class ExportChoice:
    """What the user chose: ``ids`` None means every chat."""

    fmt: Format
    ids: tuple[int, ...] | None
    folder: Path
    dark: bool
    include_files: bool


class ExportDialog(QDialog):
    """Asks what to export; ``choice()`` after it is accepted."""

    def __init__(
        self,
        *,
        current: int | None,
        selected: tuple[int, ...],
        total: int,
        folder: Path,
        dark: bool,
        from_list: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export chats")
        self.setMinimumWidth(460)
        self._current = current
        self._selected = selected
        self.this_chat = QRadioButton("This chat", self)
        chosen_label = (
            "The chat chosen in the list"
            if len(selected) == 1
            else f"The {len(selected)} chats selected in the list"
        )
        self.selected_chats = QRadioButton(chosen_label, self)
        self.all_chats = QRadioButton(f"All {total:,} chats", self)
        scope = QButtonGroup(self)
        for button in (self.this_chat, self.selected_chats, self.all_chats):
            scope.addButton(button)
        self.this_chat.setEnabled(current is not None)
        offer_selected = bool(selected) and tuple(selected) != (current,)
        self.selected_chats.setVisible(offer_selected)
        if offer_selected and (from_list or len(selected) > 1):
            self.selected_chats.setChecked(True)
        elif current is not None:
            self.this_chat.setChecked(True)
        else:
            self.all_chats.setChecked(True)

        self.format = QComboBox(self)
        self.format.addItem("HTML: one page per chat, readable anywhere", "html")
        self.format.addItem("Markdown: one file per chat", "md")
        self.format.addItem("JSON: everything, every branch (re-importable)", "json")
        self.theme = QComboBox(self)
        self.theme.addItem("Light", False)
        self.theme.addItem("Dark", True)
        self.theme.setCurrentIndex(1 if dark else 0)
        self.files = QCheckBox("Include the attached files", self)
        self.folder = QLineEdit(str(folder), self)
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.folder, 1)
        where.addWidget(browse)
        self.note = QLabel(self)
        self.note.setWordWrap(True)

        form = QFormLayout()
        scope_box = QVBoxLayout()
        for button in (self.this_chat, self.selected_chats, self.all_chats):
            scope_box.addWidget(button)
        form.addRow("Export:", scope_box)
        form.addRow("As:", self.format)
        form.addRow("Theme:", self.theme)
        form.addRow("", self.files)
        form.addRow("Into:", where)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.format.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

    def _format_changed(self) -> None:
        fmt = self.format.currentData()
        self.theme.setEnabled(fmt == "html")
        self.files.setEnabled(fmt == "json")
        self.note.setText(
            {
                "html": "Images are embedded; reasoning and tool calls fold away. The branch "
                "each chat shows is exported.",
                "md": "Front matter with the model, dates and cost; the branch each chat shows.",
                "json": "Every branch, tool call, usage and summary. Import it into chatdesk on "
                "any machine. No API key or secret is ever included.",
            }[str(fmt)]
        )

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export into", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def choice(self) -> ExportChoice:
        """The choices made."""
        if self.this_chat.isChecked() and self._current is not None:
            ids: tuple[int, ...] | None = (self._current,)
        elif self.selected_chats.isChecked() and self._selected:
            ids = self._selected
        else:
            ids = None
        return ExportChoice(
            fmt=self.format.currentData(),
            ids=ids,
            folder=Path(self.folder.text().strip() or "."),
            dark=bool(self.theme.currentData()),
            include_files=self.files.isChecked(),
        )
