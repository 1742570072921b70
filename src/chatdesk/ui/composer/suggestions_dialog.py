"""SuggestionsDialog: create, edit, reorder and delete suggestions through a
``SuggestionsService`` (the ``StoreService`` pattern: plain calls in, signals out)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.suggestions import Suggestion
from chatdesk.ui.composer.suggestion_chips import ID_ROLE
from chatdesk.ui.composer.suggestions_service import SuggestionsService
from chatdesk.ui.kit.formatting import preview


class SuggestionsDialog(QDialog):
    """Create, edit, reorder and delete suggestions."""

    suggestionsChanged = Signal(object)  # list[Suggestion]

    def __init__(self, service: SuggestionsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("suggestionsDialog")
        self.setWindowTitle("Suggestions")
        self.setMinimumSize(640, 400)
        self.service = service
        self._editing: str | None = None
        service.changed.connect(self._changed)
        service.saved.connect(self._saved)
        service.failed.connect(self._failed)

        self.list = QListWidget(self)
        self.list.setObjectName("suggestionList")
        self.list.setAccessibleName("Suggestions")
        self.list.currentItemChanged.connect(lambda item, _prev: self._load(item))
        self.title_edit = QLineEdit(self)
        self.title_edit.setObjectName("suggestionTitle")
        self.title_edit.setAccessibleName("Title")
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName("suggestionText")
        self.text_edit.setAccessibleName("Text")
        self.text_edit.setTabChangesFocus(True)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("suggestionError")
        self.error_label.setWordWrap(True)
        self.new_button = self._button("&New", self.new_suggestion)
        self.save_button = self._button("&Save", self.save)
        self.delete_button = self._button("&Delete", self.delete_selected)
        self.up_button = self._button("Move &up", lambda: self.move_selected(-1))
        self.down_button = self._button("Move do&wn", lambda: self.move_selected(1))

        form = QFormLayout()
        form.addRow("&Title", self.title_edit)
        form.addRow("Te&xt", self.text_edit)
        buttons = QHBoxLayout()
        for button in (
            self.new_button,
            self.save_button,
            self.delete_button,
            self.up_button,
            self.down_button,
        ):
            buttons.addWidget(button)
        right = QVBoxLayout()
        right.addLayout(form, 1)
        right.addWidget(self.error_label)
        right.addLayout(buttons)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(right, 2)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        for close_button in close.buttons():
            if isinstance(close_button, QPushButton):
                close_button.setAutoDefault(False)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(close)
        self._fill(select=None)
        if self.list.count() == 0:
            self.new_suggestion()

    def _button(self, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setAutoDefault(False)
        button.clicked.connect(slot)
        return button

    def _fill(self, select: str | None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for suggestion in self.service.suggestions:
            item = QListWidgetItem(suggestion.title, self.list)
            item.setData(ID_ROLE, suggestion.id)
            item.setToolTip(preview(suggestion.text))
            if suggestion.id == select:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if self.list.currentItem() is None and self.list.count() and select is None:
            self.list.setCurrentRow(0)
        self._load(self.list.currentItem())

    def _load(self, item: QListWidgetItem | None) -> None:
        suggestion = self._find(item.data(ID_ROLE)) if item is not None else None
        if suggestion is None:
            return
        self._editing = suggestion.id
        self.title_edit.setText(suggestion.title)
        self.text_edit.setPlainText(suggestion.text)
        self.error_label.clear()

    def _find(self, suggestion_id: object) -> Suggestion | None:
        return next((s for s in self.service.suggestions if s.id == suggestion_id), None)

    def new_suggestion(self) -> None:
        """Empty the form for a new suggestion."""
        self._editing = None
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self.title_edit.clear()
        self.text_edit.clear()
        self.error_label.clear()
        self.title_edit.setFocus()

    def save(self) -> None:
        """Store the form (new or edited); ``failed`` says what is wrong when it cannot."""
        title, text = self.title_edit.text(), self.text_edit.toPlainText()
        if self._editing is None:
            self.service.add(title, text)
        else:
            self.service.update(self._editing, title, text)

    def delete_selected(self) -> None:
        if self._editing is not None:
            self.service.delete(self._editing)

    def move_selected(self, offset: int) -> None:
        if self._editing is not None:
            self.service.move(self._editing, offset)

    # -- what the service reports --------------------------------------------------------

    def _changed(self, suggestions: list[Suggestion]) -> None:
        if all(s.id != self._editing for s in suggestions):
            self._editing = None  # deleted
        self._fill(self._editing)
        if self.list.count() == 0:
            self.new_suggestion()
        self.suggestionsChanged.emit(suggestions)

    def _saved(self, saved: Suggestion) -> None:
        self._fill(saved.id)
        self.error_label.setText(f"✓  Saved “{saved.title}”")

    def _failed(self, text: str) -> None:
        self.error_label.setText(f"⛔  {text}")
