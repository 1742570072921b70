"""SlashPopup: the "/" menu of a text field. Typing "/" (then letters) at its start lists the
matching suggestions and MCP servers' prompts above it; Up/Down choose, Enter or Tab puts a
template in (or asks for a prompt: ``promptChosen``), Esc closes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QPlainTextEdit

from chatdesk.core.suggestions import Suggestion, match, slash_query
from chatdesk.mcp.prompts import ServerPrompt
from chatdesk.ui.composer.suggestion_chips import ID_ROLE
from chatdesk.ui.kit.formatting import preview

POPUP_ROWS = 8
_PROMPT = "\x00prompt:"  # the id of a prompt's row (no suggestion id starts so)


class SlashPopup(QObject):
    """The "/" menu of a text field (e.g. the composer's ``QPlainTextEdit``)."""

    suggestionChosen = Signal(object)  # Suggestion
    promptChosen = Signal(object)  # ServerPrompt

    def __init__(self, edit: QPlainTextEdit, parent: QObject | None = None) -> None:
        super().__init__(parent if parent is not None else edit)
        self.edit = edit
        self._items: list[Suggestion] = []
        self._prompts: list[ServerPrompt] = []
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

    def set_prompts(self, prompts: Sequence[ServerPrompt]) -> None:
        """The MCP servers' prompts, listed after the suggestions with their server's name."""
        self._prompts = list(prompts)
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
        prompts = [
            (n, p) for n, p in enumerate(self._prompts) if query is not None and p.matches(query)
        ]
        if not matches and not prompts:
            self.popup.hide()
            return
        self.popup.clear()
        for suggestion in matches:
            item = QListWidgetItem(suggestion.title, self.popup)
            item.setData(ID_ROLE, suggestion.id)
            item.setToolTip(preview(suggestion.text))
        for index, prompt in prompts:
            item = QListWidgetItem(prompt.label, self.popup)
            item.setData(ID_ROLE, f"{_PROMPT}{index}")
            item.setToolTip(prompt.description or f"A prompt of the MCP server {prompt.server_id}")
        self.popup.setCurrentRow(0)
        rows = min(len(matches) + len(prompts), POPUP_ROWS)
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
        key = str(item.data(ID_ROLE))
        if key.startswith(_PROMPT):
            self.popup.hide()
            self.edit.clear()  # the "/query" typed to find it
            self.promptChosen.emit(self._prompts[int(key[len(_PROMPT) :])])
            return
        chosen = next((s for s in self._items if s.id == key), None)
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
