"""SchemaForm: the widgets of an elicitation form, one per field, with a message under each
field that is wrong. ``FormField`` (chatdesk.mcp.elicitation) says what each one is."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from chatdesk.mcp.elicitation import FormField, check_value

__all__ = ["SchemaForm"]

_PLACEHOLDERS = {
    "email": "name@example.com",
    "uri": "https://…",
    "date": "YYYY-MM-DD",
    "date-time": "YYYY-MM-DDTHH:MM",
}


class SchemaForm(QWidget):
    """One widget per field; :meth:`values` reads them, :meth:`show_problems` marks them."""

    submitted = Signal()  # Enter in a line

    def __init__(self, fields: tuple[FormField, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = fields
        self.inputs: dict[str, QWidget] = {}
        self.problems: dict[str, QLabel] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for field in fields:
            widget = self._widget(field)
            widget.setObjectName(f"field_{field.name}")
            widget.setAccessibleName(field.title)
            if field.description:
                widget.setToolTip(field.description)
            self.inputs[field.name] = widget
            cell = QWidget(self)
            cell.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            if field.description and not isinstance(widget, QCheckBox):
                about = QLabel(field.description, cell)
                about.setWordWrap(True)
                about.setStyleSheet("color: palette(placeholder-text)")
                column.addWidget(about)
            problem = QLabel(cell)
            problem.setObjectName(f"problem_{field.name}")
            problem.setStyleSheet("color: #d1242f")
            problem.hide()
            column.addWidget(problem)
            self.problems[field.name] = problem
            label = field.title + (" *" if field.required else "")
            form.addRow("" if isinstance(widget, QCheckBox) else label, cell)

    def _widget(self, field: FormField) -> QWidget:
        if field.kind == "boolean":
            box = QCheckBox(field.title, self)
            box.setChecked(bool(field.default))
            return box
        if field.kind == "choice":
            combo = QComboBox(self)
            if not field.required or field.default is None:
                combo.addItem("—", None)
            for value, label in field.options:
                combo.addItem(label, value)
            if field.default is not None:
                combo.setCurrentIndex(max(0, combo.findData(str(field.default))))
            return combo
        if field.kind == "choices":
            holder = QWidget(self)
            row = QVBoxLayout(holder)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(2)
            chosen = {str(v) for v in field.default} if isinstance(field.default, list) else set()
            for value, label in field.options:
                box = QCheckBox(label, holder)
                box.setProperty("value", value)
                box.setChecked(value in chosen)
                row.addWidget(box)
            return holder
        line = QLineEdit(self)
        if field.default is not None:
            line.setText(_text(field.default))
        line.setPlaceholderText(
            _PLACEHOLDERS.get(field.format or "", "required" if field.required else "optional")
        )
        if field.kind in ("number", "integer"):
            bounds = [
                f"{label} {value:g}"
                for label, value in (("min", field.minimum), ("max", field.maximum))
                if value is not None
            ]
            kind = "whole number" if field.kind == "integer" else "number"
            line.setPlaceholderText(f"a {kind}" + (f" ({', '.join(bounds)})" if bounds else ""))
        line.returnPressed.connect(self.submitted)
        return line

    def values(self) -> dict[str, Any]:
        """What the user entered, by field name (empty texts as "")."""
        result: dict[str, Any] = {}
        for field in self.fields:
            widget = self.inputs[field.name]
            if isinstance(widget, QCheckBox):
                result[field.name] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                result[field.name] = widget.currentData()
            elif isinstance(widget, QLineEdit):
                result[field.name] = widget.text().strip()
            else:
                result[field.name] = [
                    str(box.property("value"))
                    for box in widget.findChildren(QCheckBox)
                    if box.isChecked()
                ]
        return result

    def show_problems(self, problems: dict[str, str]) -> None:
        """A message under each field that is wrong; focus goes to the first of them."""
        first: QWidget | None = None
        for name, label in self.problems.items():
            text = problems.get(name)
            label.setText(text or "")
            label.setVisible(bool(text))
            if text and first is None:
                first = self.inputs[name]
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def check(self, name: str) -> str | None:
        """What is wrong with one field now (None: fine)."""
        field = next(f for f in self.fields if f.name == name)
        return check_value(field, self.values().get(name))[1]

    def first_input(self) -> QWidget | None:
        return next(iter(self.inputs.values()), None)


def _text(value: object) -> str:
    return str(value)
