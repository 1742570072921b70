"""The model picker: a searchable combo box fed by the cached model catalogue."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from chatdesk.core.models import ModelInfo
from chatdesk.ui.kit.formatting import describe_model

ID_ROLE = Qt.ItemDataRole.UserRole
DETAILS_ROLE = Qt.ItemDataRole.UserRole + 1


class ModelItemDelegate(QStyledItemDelegate):
    """Shows "id    128k context · $0.15 in / $0.60 out per M" in the lists; the item's text
    (what the edit field gets) stays the bare id."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        details = index.data(DETAILS_ROLE)
        if details:
            option.text = f"{option.text}    —  {details}"


class ModelPicker(QComboBox):
    """Editable combo: type to filter by id or name; Enter accepts any id (local servers)."""

    modelChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modelPicker")
        self.setAccessibleName("Model")
        self.setToolTip("Model for the next message — type to search")
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMinimumContentsLength(28)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self._model = QStandardItemModel(self)
        self.setModel(self._model)
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setSourceModel(self._model)
        self._proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._proxy.setFilterRole(Qt.ItemDataRole.ToolTipRole)
        completer = QCompleter(self._proxy, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(15)
        self.setCompleter(completer)
        self._delegate = ModelItemDelegate(self)
        for view in (self.view(), completer.popup()):
            if view is not None:
                view.setItemDelegate(self._delegate)
                view.setMinimumWidth(620)  # room for "id — context · prices"
                view.setTextElideMode(Qt.TextElideMode.ElideRight)
        completer.activated[str].connect(self._chosen_text)  # type: ignore[index]
        self.activated.connect(lambda index: self._chosen_text(self.itemText(index)))
        line = self.lineEdit()
        assert line is not None
        line.setPlaceholderText("model id, e.g. openai/gpt-4o-mini")
        line.returnPressed.connect(lambda: self._chosen_text(self.currentText()))
        self._current = ""

    def set_models(self, models: Sequence[ModelInfo]) -> None:
        """Fill the list; keeps the current model even if the catalogue lacks it."""
        current = self._current or self.currentText()
        self.blockSignals(True)
        self._model.clear()
        for info in models:
            item = QStandardItem(info.id)
            item.setData(info.id, ID_ROLE)
            details = describe_model(info)
            item.setData(details, DETAILS_ROLE)
            tooltip = f"{info.name or info.id}\n{info.id}" + (f"\n{details}" if details else "")
            item.setToolTip(tooltip)
            self._model.appendRow(item)
        self.blockSignals(False)
        self.set_current(current)

    def set_current(self, model_id: str) -> None:
        """Show ``model_id`` as the chosen model without emitting ``modelChosen``."""
        self._current = model_id
        self.blockSignals(True)
        index = self.findText(model_id, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            self.setCurrentIndex(index)
        self.setEditText(model_id)
        self.blockSignals(False)
        info_tip = self.itemData(index, Qt.ItemDataRole.ToolTipRole) if index >= 0 else None
        self.setToolTip(str(info_tip) if info_tip else f"{model_id}\n(type to search models)")

    def current_model(self) -> str:
        return self._current

    def _chosen_text(self, text: str) -> None:
        text = text.strip()
        if text and text != self._current:
            self.set_current(text)
            self.modelChosen.emit(text)
