"""SamplingCard: a server asks the model for a completion (MCP sampling), inline in the chat.

First it shows which server asks, the model that will answer, the token limit, the system
prompt and the messages, with Deny / Edit / Allow (Enter allows, Esc denies; Edit makes the
texts editable, then Enter allows what was edited). Then "Asking <model>…", then the answer
with Don't send / Send to <server> (Enter sends, Esc does not).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QKeyEvent, QShowEvent, QTextOption
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from chatdesk.mcp.sampling import SampledMessage, SamplingAnswer, SamplingEdit, SamplingRequest
from chatdesk.ui.kit.card import Card
from chatdesk.ui.kit.colors import muted_color
from chatdesk.ui.kit.formatting import format_cost

__all__ = ["SamplingCard"]

MAX_TEXT_LINES = 10


def _text_box(text: str, name: str, parent: QWidget) -> QPlainTextEdit:
    box = QPlainTextEdit(parent)
    box.setObjectName(name)
    box.setReadOnly(True)
    box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    box.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    box.setPlainText(text)
    box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    lines = max(1, min(MAX_TEXT_LINES, text.count("\n") + 1 + len(text) // 90))
    frame = box.frameWidth() * 2 + int(box.document().documentMargin() * 2)
    box.setFixedHeight(lines * box.fontMetrics().lineSpacing() + frame + 4)
    return box


class SamplingCard(Card):
    """See the module docstring. ``allowed(SamplingEdit | None)`` once, then ``sent(bool)``."""

    allowed = Signal(object)  # SamplingEdit, or None when denied
    sent = Signal(bool)

    def __init__(self, request: SamplingRequest, parent: QWidget | None = None) -> None:
        super().__init__("tool", parent)
        self.request = request
        self.phase = "ask"  # ask -> running -> review -> done
        self.setObjectName("samplingCard")
        self.setAccessibleName(f"{request.server_id} asks the model {request.model}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 10, 12, 10)
        column.setSpacing(6)
        header, self.title = self.header(
            f"{request.server_id} asks the model for a completion", "samplingTitle"
        )
        column.addLayout(header)
        facts = f"Model: {request.model} · up to {request.max_tokens:,} tokens"
        if request.temperature is not None:
            facts += f" · temperature {request.temperature:g}"
        self.facts = QLabel(facts, self)
        self.facts.setObjectName("samplingFacts")
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setWordWrap(True)
        column.addWidget(self.facts)
        self.notes = QLabel("\n".join(request.notes), self)
        self.notes.setObjectName("samplingNotes")
        self.notes.setWordWrap(True)
        self.notes.setVisible(bool(request.notes))
        self.notes.setStyleSheet("color: #b35900")
        column.addWidget(self.notes)

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.system_box: QPlainTextEdit | None = None
        if request.system_prompt:
            column.addWidget(self._label("System prompt"))
            self.system_box = _text_box(request.system_prompt, "samplingSystem", self)
            column.addWidget(self.system_box)
        self.message_boxes: list[QPlainTextEdit] = []
        for index, message in enumerate(request.messages):
            extra = f" · {len(message.images)} image(s)" if message.images else ""
            column.addWidget(self._label(f"{message.role.capitalize()}{extra}"))
            box = _text_box(message.text, f"samplingMessage{index}", self)
            box.setFont(mono)
            self.message_boxes.append(box)
            column.addWidget(box)

        self.answer_label = self._label("")
        self.answer_label.hide()
        column.addWidget(self.answer_label)
        self.answer_box = _text_box("", "samplingAnswer", self)
        self.answer_box.hide()
        column.addWidget(self.answer_box)

        row = QHBoxLayout()
        self.deny_button = self._button("Deny", "samplingDeny", "Esc", row)
        row.addStretch(1)
        self.edit_button = self._button("Edit", "samplingEdit", "Edit the texts first", row)
        self.allow_button = self._button("Allow", "samplingAllow", "Enter", row)
        self.allow_button.setDefault(True)
        self.deny_button.clicked.connect(self.deny)
        self.edit_button.clicked.connect(self.edit)
        self.allow_button.clicked.connect(self.allow)
        column.addLayout(row)
        review = QHBoxLayout()
        self.keep_button = self._button("Don't send", "samplingKeep", "Esc", review)
        review.addStretch(1)
        self.send_button = self._button(
            f"Send to {request.server_id}", "samplingSend", "Enter", review
        )
        self.keep_button.clicked.connect(lambda: self.finish_review(False))
        self.send_button.clicked.connect(lambda: self.finish_review(True))
        for button in (self.keep_button, self.send_button):
            button.hide()
        column.addLayout(review)
        self.outcome = QLabel(self)
        self.outcome.setObjectName("samplingOutcome")
        self.outcome.setWordWrap(True)
        self.outcome.hide()
        column.addWidget(self.outcome)
        self._editing = False

    def _label(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setStyleSheet(f"color: {muted_color(self.palette()).name()}")
        return label

    def _button(self, text: str, name: str, tip: str, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAutoDefault(True)
        row.addWidget(button)
        return button

    # --- the first question: allow? ---------------------------------------------------------

    def edit(self) -> None:
        """Make the system prompt and the messages editable; Allow then sends the edits."""
        if self.phase != "ask" or self._editing:
            return
        self._editing = True
        boxes = [b for b in (self.system_box, *self.message_boxes) if b is not None]
        for box in boxes:
            box.installEventFilter(self)
            box.setReadOnly(False)
            box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            box.setFixedHeight(max(box.height(), 4 * box.fontMetrics().lineSpacing() + 12))
        self.edit_button.setEnabled(False)
        self.allow_button.setText("Allow edited")
        self.allow_button.setToolTip("Ctrl+Enter")
        if boxes:
            boxes[-1].setFocus()

    def edited(self) -> SamplingEdit:
        """What Allow sends: the texts as they are now."""
        system = self.system_box.toPlainText() if self.system_box is not None else ""
        messages = tuple(
            SampledMessage(m.role, box.toPlainText(), m.images)
            for m, box in zip(self.request.messages, self.message_boxes, strict=True)
        )
        changed = system != self.request.system_prompt or messages != self.request.messages
        return SamplingEdit(system, messages, edited=changed)

    def allow(self) -> None:
        if self.phase != "ask":
            return
        edit = self.edited()
        self._lock_texts()
        self.phase = "running"
        self._hide(self.deny_button, self.edit_button, self.allow_button)
        self._say(f"Asking {self.request.model}…")
        self.give_up_focus()
        self.allowed.emit(edit)

    def deny(self) -> None:
        if self.phase != "ask":
            return
        self.phase = "done"
        self._lock_texts()
        self._hide(self.deny_button, self.edit_button, self.allow_button)
        self._say("Denied: the server was told no.")
        self.give_up_focus()
        self.allowed.emit(None)

    # --- the second question: send the answer back? -----------------------------------------

    def show_answer(self, answer: SamplingAnswer) -> None:
        """The model answered: show it, with Send / Don't send."""
        self.phase = "review"
        self._hide(self.deny_button, self.edit_button, self.allow_button)
        self.outcome.hide()
        cost = f" · {format_cost(answer.usage.cost)}" if answer.usage.cost else ""
        self.answer_label.setText(
            f"Answer from {answer.model} ({answer.usage.completion_tokens:,} tokens{cost})"
        )
        self.answer_label.show()
        self.answer_box.setPlainText(answer.text)
        self.answer_box.setFixedHeight(
            max(1, min(MAX_TEXT_LINES, answer.text.count("\n") + 1 + len(answer.text) // 90))
            * self.answer_box.fontMetrics().lineSpacing()
            + 16
        )
        self.answer_box.show()
        self.keep_button.show()
        self.send_button.show()
        self.send_button.setDefault(True)
        QTimer.singleShot(0, self, self._take_focus)

    def finish_review(self, send: bool) -> None:
        if self.phase != "review":
            return
        self.phase = "done"
        self._hide(self.keep_button, self.send_button)
        self._say(
            f"Sent to {self.request.server_id}." if send else "Not sent: the server was told no."
        )
        self.give_up_focus()
        self.sent.emit(send)

    def failed(self, message: str) -> None:
        self.phase = "done"
        self._say(f"The model did not answer: {message}")

    def withdraw(self) -> None:
        """Nobody waits any more (the tool call ended, or the answer was stopped)."""
        if self.phase != "done":
            self.phase = "done"
            self._hide(
                self.deny_button,
                self.edit_button,
                self.allow_button,
                self.keep_button,
                self.send_button,
            )
            self._say("No longer needed: the server stopped waiting.")

    # --- keys and focus ----------------------------------------------------------------------

    def keyPressEvent(self, e: QKeyEvent) -> None:
        enter = e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and self.phase == "ask":
            self.allow()
        elif enter and self.phase == "review":
            self.finish_review(True)
        elif e.key() == Qt.Key.Key_Escape and self.phase == "ask":
            self.deny()
        elif e.key() == Qt.Key.Key_Escape and self.phase == "review":
            self.finish_review(False)
        else:
            super().keyPressEvent(e)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """While editing, Ctrl+Enter in a text allows it and Esc denies."""
        if self.phase == "ask" and isinstance(event, QKeyEvent):
            if event.type() != QEvent.Type.KeyPress:
                return super().eventFilter(watched, event)
            key = event
            enter = key.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if enter and key.modifiers() & Qt.KeyboardModifier.ControlModifier:
                self.allow()
                return True
            if key.key() == Qt.Key.Key_Escape:
                self.deny()
                return True
        return super().eventFilter(watched, event)

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        if self.phase in ("ask", "review"):
            QTimer.singleShot(0, self, self._take_focus)

    def _take_focus(self) -> None:
        if self.phase in ("ask", "review") and self.isVisible() and not self._editing:
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    def _lock_texts(self) -> None:
        self._editing = False
        for box in (self.system_box, *self.message_boxes):
            if box is not None:
                box.setReadOnly(True)
                box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)

    def _hide(self, *buttons: QPushButton) -> None:
        for button in buttons:
            button.setEnabled(False)
            button.hide()

    def _say(self, text: str) -> None:
        self.outcome.setText(text)
        self.outcome.show()
