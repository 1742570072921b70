"""PromptCard: a server prompt's arguments, asked inline before its text goes into the
composer. Enter inserts (once the required ones are filled), Esc cancels."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.mcp.prompts import ServerPrompt, missing_arguments
from chatdesk.ui.kit.card import Card

__all__ = ["PromptCard"]


class PromptCard(Card):
    """The arguments of ``prompt``; ``submitted(values)`` or ``cancelled`` once."""

    submitted = Signal(object)  # dict[str, str]
    cancelled = Signal()

    def __init__(self, prompt: ServerPrompt, parent: QWidget | None = None) -> None:
        super().__init__("tool", parent)
        self.prompt = prompt
        self.setObjectName("promptCard")
        self.setAccessibleName(f"Arguments of the prompt {prompt.name} from {prompt.server_id}")
        title = QLabel(f"<b>{prompt.title or prompt.name}</b> · a prompt of {prompt.server_id}")
        title.setTextFormat(Qt.TextFormat.RichText)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 10, 12, 10)
        column.addWidget(title)
        if prompt.description:
            about = QLabel(prompt.description, self)
            about.setWordWrap(True)
            column.addWidget(about)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit] = {}
        for argument in prompt.arguments:
            field = QLineEdit(self)
            field.setObjectName(f"promptArgument_{argument.name}")
            field.setPlaceholderText(
                argument.description or ("required" if argument.required else "optional")
            )
            field.returnPressed.connect(self.submit)
            self.fields[argument.name] = field
            form.addRow(f"{argument.name}{' *' if argument.required else ''}", field)
        column.addLayout(form)
        self.problem = QLabel(self)
        self.problem.setObjectName("promptProblem")
        self.problem.hide()
        column.addWidget(self.problem)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton("Cancel", self)
        cancel.setToolTip("Esc")
        cancel.clicked.connect(self.cancel)
        self.insert_button = QPushButton("Insert", self)
        self.insert_button.setToolTip("Enter")
        self.insert_button.setDefault(True)
        self.insert_button.clicked.connect(self.submit)
        buttons.addWidget(cancel)
        buttons.addWidget(self.insert_button)
        column.addLayout(buttons)
        self.open = True

    def values(self) -> dict[str, str]:
        """The arguments filled in (empty optional ones left out)."""
        return {name: f.text() for name, f in self.fields.items() if f.text().strip()}

    def submit(self) -> None:
        if not self.open:
            return
        missing = missing_arguments(self.prompt, self.values())
        if missing:
            self.problem.setText(f"Please fill in {', '.join(missing)}.")
            self.problem.show()
            self.fields[missing[0]].setFocus()
            return
        self.open = False
        self.submitted.emit(self.values())

    def cancel(self) -> None:
        if self.open:
            self.open = False
            self.cancelled.emit()

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() == Qt.Key.Key_Escape:
            self.cancel()
            return
        super().keyPressEvent(e)

    def focus_first(self) -> None:
        """Keyboard focus to the first argument (typing goes there at once)."""
        first = next(iter(self.fields.values()), None)
        (first or self.insert_button).setFocus()

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        self.focus_first()
