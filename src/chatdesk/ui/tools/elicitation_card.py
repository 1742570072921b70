"""ElicitationCard: a server asks the user for input (MCP elicitation), inline in the chat.

A form: the server's message, the fields, Cancel / Decline / Submit (Enter in a field or on
the card submits once every field is right — else the message under a wrong field says why;
Esc cancels). A URL: the message, the page's address and its site, Cancel / Decline /
Open <site> (nothing opens before the user says so). A form chatdesk cannot show says why,
and can only be declined or cancelled.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from chatdesk.mcp.elicitation import ElicitationAnswer, ElicitationRequest, check_values
from chatdesk.ui.kit.card import Card
from chatdesk.ui.tools.schema_form import SchemaForm

__all__ = ["ElicitationCard"]


class ElicitationCard(Card):
    """See the module docstring; ``answered(ElicitationAnswer)`` once."""

    answered = Signal(object)  # ElicitationAnswer

    def __init__(
        self,
        request: ElicitationRequest,
        parent: QWidget | None = None,
        *,
        open_url: object = None,
    ) -> None:
        super().__init__("tool", parent)
        self.request = request
        self.open = True
        self._open_url = open_url or (lambda url: QDesktopServices.openUrl(QUrl(url)))
        self.setObjectName("elicitationCard")
        self.setAccessibleName(f"{request.server_id} asks you")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 10, 12, 10)
        column.setSpacing(6)
        header, _title = self.header(f"{request.server_id} asks you", "elicitationTitle")
        column.addLayout(header)
        self.message = QLabel(request.message, self)
        self.message.setObjectName("elicitationMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        column.addWidget(self.message)

        self.form: SchemaForm | None = None
        if request.url is not None:
            where = QLabel(
                f"It wants you to open a page on <b>{_escape(request.url_host)}</b>:<br>"
                f"<code>{_escape(request.url)}</code>",
                self,
            )
            where.setObjectName("elicitationUrl")
            where.setTextFormat(Qt.TextFormat.RichText)
            where.setWordWrap(True)
            where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            column.addWidget(where)
        elif request.problem is not None:
            problem = QLabel(request.problem, self)
            problem.setObjectName("elicitationProblem")
            problem.setWordWrap(True)
            problem.setStyleSheet("color: #d1242f")
            column.addWidget(problem)
        else:
            self.form = SchemaForm(request.fields, self)
            self.form.submitted.connect(self.submit)
            column.addWidget(self.form)

        row = QHBoxLayout()
        self.cancel_button = self._button("Cancel", "elicitationCancel", "Esc", row)
        row.addStretch(1)
        self.decline_button = self._button("Decline", "elicitationDecline", "", row)
        accept = "Submit" if request.url is None else f"Open {request.url_host or 'the page'}"
        self.accept_button = self._button(accept, "elicitationAccept", "Enter", row)
        self.accept_button.setDefault(True)
        self.accept_button.setEnabled(request.problem is None)
        self.cancel_button.clicked.connect(lambda: self._answer(ElicitationAnswer("cancel")))
        self.decline_button.clicked.connect(lambda: self._answer(ElicitationAnswer("decline")))
        self.accept_button.clicked.connect(self.submit)
        column.addLayout(row)
        self.outcome = QLabel(self)
        self.outcome.setObjectName("elicitationOutcome")
        self.outcome.hide()
        column.addWidget(self.outcome)

    def _button(self, text: str, name: str, tip: str, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        if tip:
            button.setToolTip(tip)
        button.setAutoDefault(True)
        row.addWidget(button)
        return button

    def submit(self) -> None:
        """Accept: the form's values once all are right, or open the page."""
        if not self.open or self.request.problem is not None:
            return
        if self.request.url is not None:
            self._open_url(self.request.url)  # type: ignore[operator]
            self._answer(ElicitationAnswer("accept"))
            return
        assert self.form is not None
        content, problems = check_values(self.request.fields, self.form.values())
        if problems:
            self.form.show_problems(problems)
            return
        self.form.show_problems({})
        self._answer(ElicitationAnswer("accept", content))

    def _answer(self, answer: ElicitationAnswer) -> None:
        if not self.open:
            return
        self.open = False
        self.give_up_focus()
        for button in (self.cancel_button, self.decline_button, self.accept_button):
            button.hide()
        if self.form is not None:
            self.form.setEnabled(False)
        said = {
            "accept": "Sent." if self.request.url is None else "Opened in your browser.",
            "decline": "Declined.",
            "cancel": "Cancelled.",
        }
        self._say(said[answer.action])
        self.answered.emit(answer)

    def withdraw(self) -> None:
        if self.open:
            self.open = False
            for button in (self.cancel_button, self.decline_button, self.accept_button):
                button.hide()
            self._say("No longer needed: the server stopped waiting.")

    def _say(self, text: str) -> None:
        self.outcome.setText(text)
        self.outcome.show()

    # --- keys and focus ----------------------------------------------------------------------

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if self.open and e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
        elif self.open and e.key() == Qt.Key.Key_Escape:
            self._answer(ElicitationAnswer("cancel"))
        else:
            super().keyPressEvent(e)

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        if self.open:
            QTimer.singleShot(0, self, self._take_focus)

    def _take_focus(self) -> None:
        if not (self.open and self.isVisible()):
            return
        first = self.form.first_input() if self.form is not None else None
        (first or self).setFocus(Qt.FocusReason.OtherFocusReason)
        if first is not None:  # a tall form: its top in sight, not its buttons
            parent = self.parentWidget()
            while parent is not None and not isinstance(parent, QScrollArea):
                parent = parent.parentWidget()
            if isinstance(parent, QScrollArea):
                parent.ensureWidgetVisible(first, 0, 90)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
