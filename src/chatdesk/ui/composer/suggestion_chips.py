"""Suggestions in the UI: chips for an empty chat, a "/" popup for the composer, and a dialog
to create, edit and delete them.

* ``SuggestionChips``: a row of buttons, one per suggestion; ``suggestionChosen(text)``.
* ``SlashPopup``: watches a text field; typing "/" (then letters) at its start lists matching
  suggestions above it; Up/Down choose, Enter or Tab puts the template in, Esc closes.
* ``SuggestionsDialog``: edits a ``SuggestionStore`` (small synchronous file writes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
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

from chatdesk.core.suggestions import Suggestion, SuggestionError, match, slash_query

if TYPE_CHECKING:
    from chatdesk.storage.suggestions import SuggestionStore

ID_ROLE = Qt.ItemDataRole.UserRole
CHIP_COLUMNS = 4  # chips per centred row
POPUP_ROWS = 8


def _preview(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class SuggestionChips(QWidget):
    """Chips for an empty conversation; a click (or Enter on a focused chip) picks one."""

    suggestionChosen = Signal(str)  # the template text
    manageRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("suggestionChips")
        # On the chat's own background, so the chips read as part of the empty conversation.
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        # Rounded chips drawn from the palette, so light and dark themes both suit them.
        self.setStyleSheet(
            "QPushButton#suggestionChip { border: 1px solid palette(mid); border-radius: 12px;"
            " padding: 6px 14px; background: palette(base); }"
            "QPushButton#suggestionChip:hover, QPushButton#suggestionChip:focus"
            " { border-color: palette(highlight); }"
            "QPushButton#editSuggestionsButton { border: none; padding: 6px 8px;"
            " color: palette(placeholder-text); }"
            "QPushButton#editSuggestionsButton:hover { color: palette(highlight); }"
        )
        self.manage_button = QPushButton("Edit suggestions…", self)
        self.manage_button.setObjectName("editSuggestionsButton")
        self.manage_button.setFlat(True)
        self.manage_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.manage_button.clicked.connect(self.manageRequested)
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(24, 4, 24, 8)
        self._rows.setSpacing(8)
        self.chips: list[QPushButton] = []

    def set_suggestions(self, suggestions: Sequence[Suggestion]) -> None:
        """Show one chip per suggestion, in order, in centred rows; "Edit suggestions…" last."""
        for chip in self.chips:
            chip.deleteLater()
        self.chips = []
        while (item := self._rows.takeAt(0)) is not None:
            row = item.layout()
            while row is not None and row.takeAt(0) is not None:
                pass
        for suggestion in suggestions:
            chip = QPushButton(suggestion.title, self)
            chip.setObjectName("suggestionChip")
            chip.setAccessibleName(f"Suggestion: {suggestion.title}")
            chip.setToolTip(_preview(suggestion.text))
            chip.setAutoDefault(False)
            chip.setCursor(Qt.CursorShape.PointingHandCursor)
            chip.clicked.connect(lambda _c=False, text=suggestion.text: self._chosen(text))
            self.chips.append(chip)
        widgets: list[QWidget] = [*self.chips, self.manage_button]
        for start in range(0, len(widgets), CHIP_COLUMNS):
            row = QHBoxLayout()
            row.setSpacing(8)
            row.addStretch(1)
            for widget in widgets[start : start + CHIP_COLUMNS]:
                row.addWidget(widget)
            row.addStretch(1)
            self._rows.addLayout(row)

    def _chosen(self, text: str) -> None:
        self.suggestionChosen.emit(text)


class SlashPopup(QObject):
    """The "/" menu of a text field (e.g. the composer's ``QPlainTextEdit``)."""

    suggestionChosen = Signal(object)  # Suggestion

    def __init__(self, edit: QPlainTextEdit, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else edit)
        self.edit = edit
        self._items: list[Suggestion] = []
        self.popup = QListWidget()
        self.popup.setObjectName("slashPopup")
        self.popup.setAccessibleName("Suggestions")
        self.popup.setWindowFlags(Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint)
        self.popup.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.popup.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.popup.itemClicked.connect(self._clicked)
        edit.textChanged.connect(self.update_popup)
        edit.installEventFilter(self)
        edit.destroyed.connect(self.popup.deleteLater)

    def set_suggestions(self, suggestions: Sequence[Suggestion]) -> None:
        self._items = list(suggestions)
        self.update_popup()

    @property
    def visible(self) -> bool:
        return self.popup.isVisible()

    def shown(self) -> list[str]:
        """The titles listed now."""
        return [self.popup.item(i).text() for i in range(self.popup.count())]

    def update_popup(self) -> None:
        """List the suggestions matching what follows "/" (hidden when nothing does)."""
        query = slash_query(self.edit.toPlainText())
        matches = match(self._items, query) if query is not None else []
        if not matches:
            self.popup.hide()
            return
        self.popup.clear()
        for suggestion in matches:
            item = QListWidgetItem(suggestion.title, self.popup)
            item.setData(ID_ROLE, suggestion.id)
            item.setToolTip(_preview(suggestion.text))
        self.popup.setCurrentRow(0)
        rows = min(len(matches), POPUP_ROWS)
        height = rows * max(self.popup.sizeHintForRow(0), 18) + 6
        width = max(self.edit.width() // 2, 280)
        self.popup.resize(width, height)
        self.popup.move(self.edit.mapToGlobal(QPoint(0, -height - 4)))
        self.popup.show()

    def choose_current(self) -> None:
        item = self.popup.currentItem()
        if item is not None:
            self._clicked(item)

    def _clicked(self, item: QListWidgetItem) -> None:
        chosen = next((s for s in self._items if s.id == item.data(ID_ROLE)), None)
        self.popup.hide()
        if chosen is None:
            return
        self.edit.setPlainText(chosen.text)
        self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)
        self.edit.setFocus()
        self.suggestionChosen.emit(chosen)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and self.popup.isVisible():
            if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
                return self._key(event)
            if event.type() == QEvent.Type.FocusOut:
                self.popup.hide()
        return False

    def _key(self, event: QKeyEvent) -> bool:
        key = event.key()
        row, count = self.popup.currentRow(), self.popup.count()
        if key == Qt.Key.Key_Down:
            self.popup.setCurrentRow((row + 1) % count)
        elif key == Qt.Key.Key_Up:
            self.popup.setCurrentRow((row - 1) % count)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab):
            self.choose_current()
        elif key == Qt.Key.Key_Escape:
            self.popup.hide()
        else:
            return False
        return True


class SuggestionsDialog(QDialog):
    """Create, edit, reorder and delete suggestions."""

    suggestionsChanged = Signal(object)  # list[Suggestion]

    def __init__(self, store: SuggestionStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("suggestionsDialog")
        self.setWindowTitle("Suggestions")
        self.setMinimumSize(640, 400)
        self.store = store
        self._editing: str | None = None

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
        for suggestion in self.store.suggestions:
            item = QListWidgetItem(suggestion.title, self.list)
            item.setData(ID_ROLE, suggestion.id)
            item.setToolTip(_preview(suggestion.text))
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
        return next((s for s in self.store.suggestions if s.id == suggestion_id), None)

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
        """Store the form (new or edited); says what is wrong instead when it cannot."""
        title, text = self.title_edit.text(), self.text_edit.toPlainText()
        try:
            if self._editing is None:
                saved = self.store.add(title, text)
            else:
                saved = self.store.update(self._editing, title, text)
        except SuggestionError as exc:
            self.error_label.setText(f"⛔  {exc.user_message}")
            return
        self._changed(saved.id)
        self.error_label.setText(f"✓  Saved “{saved.title}”")

    def delete_selected(self) -> None:
        if self._editing is None:
            return
        try:
            self.store.delete(self._editing)
        except SuggestionError as exc:
            self.error_label.setText(f"⛔  {exc.user_message}")
            return
        self._editing = None
        self._changed(None)
        if self.list.count() == 0:
            self.new_suggestion()

    def move_selected(self, offset: int) -> None:
        if self._editing is None:
            return
        try:
            self.store.move(self._editing, offset)
        except SuggestionError as exc:
            self.error_label.setText(f"⛔  {exc.user_message}")
            return
        self._changed(self._editing)

    def _changed(self, select: str | None) -> None:
        self._fill(select)
        self.suggestionsChanged.emit(self.store.suggestions)
