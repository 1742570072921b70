"""The menu of "Answer again": with the current settings, another model, or a preset."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QVBoxLayout,
    QWidget,
)

__all__ = ["ModelChooser", "RegenerateChoices", "RegenerateMenu"]

#: (models, presets) providers: model (id, label) pairs and preset (id, name) pairs.
RegenerateChoices = tuple[Callable[[], list[tuple[str, str]]], Callable[[], list[tuple[int, str]]]]


class RegenerateMenu(QMenu):
    """Built when it opens (the model list and presets may have changed since)."""

    #: None (the current settings), ("model", id) or ("preset", id).
    chosen = Signal(object)

    def __init__(self, choices: Callable[[], RegenerateChoices | None], parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("regenerateMenu")
        self._choices = choices
        self.aboutToShow.connect(self._fill)

    def _fill(self) -> None:
        self.clear()
        self.addAction("Answer again", lambda: self.chosen.emit(None))
        sources = self._choices()
        if sources is None:
            return
        models, presets = sources
        self.addAction("With another model…", lambda: self._choose_model(models()))
        named = presets()
        sub = self.addMenu("With preset")
        sub.setEnabled(bool(named))
        for preset_id, name in named:
            action = sub.addAction(name)
            action.setData(preset_id)
            action.triggered.connect(self._preset_chosen)

    def _preset_chosen(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.chosen.emit(("preset", int(action.data())))

    def _choose_model(self, models: list[tuple[str, str]]) -> None:
        chooser = ModelChooser(models, self.parentWidget())
        chooser.picked.connect(lambda model: self.chosen.emit(("model", model)))
        chooser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        chooser.open()


class ModelChooser(QDialog):
    """A filter line over the model list: type to narrow, Enter picks, Esc closes."""

    picked = Signal(str)

    def __init__(self, models: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelChooser")
        self.setWindowTitle("Answer again with…")
        self.resize(420, 360)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Type to filter the models")
        self.filter.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        for model_id, label in models:
            item = QListWidgetItem(label if label == model_id else f"{label}  ·  {model_id}")
            item.setData(Qt.ItemDataRole.UserRole, model_id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        column = QVBoxLayout(self)
        column.addWidget(self.filter)
        column.addWidget(self.list)
        self.filter.textChanged.connect(self._narrow)
        self.filter.installEventFilter(self)
        self.list.itemActivated.connect(self._pick)
        self.filter.returnPressed.connect(lambda: self._pick(self.list.currentItem()))

    def eventFilter(self, obj: object, event: object) -> bool:
        """Up and Down in the filter move in the list."""
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
        ):
            self._move(-1 if event.key() == Qt.Key.Key_Up else 1)
            return True
        return False

    def _move(self, step: int) -> None:
        rows = [i for i in range(self.list.count()) if not self.list.item(i).isHidden()]
        if not rows:
            return
        current = self.list.currentRow()
        at = rows.index(current) if current in rows else -1
        self.list.setCurrentRow(rows[max(0, min(len(rows) - 1, at + step))])

    def _narrow(self, text: str) -> None:
        words = text.casefold().split()
        first = None
        for i in range(self.list.count()):
            item = self.list.item(i)
            shown = all(w in item.text().casefold() for w in words)
            item.setHidden(not shown)
            if shown and first is None:
                first = i
        if first is not None:
            self.list.setCurrentRow(first)

    def _pick(self, item: QListWidgetItem | None) -> None:
        if item is None or item.isHidden():
            return
        self.picked.emit(str(item.data(Qt.ItemDataRole.UserRole)))
        self.accept()
