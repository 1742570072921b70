"""ApprovalCard: shown inline in a conversation before a tool call runs.

Server, tool, the full arguments and annotations, and the four choices; Enter allows once, Esc
denies. ``ApprovalCards`` places the cards; ``QtApprover`` is what the core awaits.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QKeyEvent,
    QShowEvent,
    QTextOption,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from chatdesk.mcp.approvals import ApprovalRequest, Decision
from chatdesk.ui.kit.card import Card
from chatdesk.ui.kit.colors import ERROR_RED, is_dark, mix, muted_color

__all__ = ["ApprovalCard"]


#: The arguments view grows with its text up to this many lines, then scrolls.
MAX_ARGUMENT_LINES = 18


class ApprovalCard(Card):
    """Server, tool, full arguments and annotations, and the four choices.

    It takes focus when shown: Enter allows once, Esc denies (Tab reaches each button, and
    Enter on a focused button chooses it). ``decided`` is emitted once.
    """

    decided = Signal(object)  # Decision

    def __init__(self, request: ApprovalRequest, parent: QWidget | None = None) -> None:
        super().__init__("tool", parent)
        self.request = request
        self.decision: Decision | None = None
        self.open = True  # choices can still be made
        self.setObjectName("approvalCard")
        tool = request.tool_name
        self.setAccessibleName(f"Approve tool {tool} from {request.server_id}")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        column = QVBoxLayout(self)
        column.setContentsMargins(12, 10, 12, 10)
        column.setSpacing(6)

        header, self.title = self.header(f"Run {tool} from {request.server_id}?", "approvalTitle")
        self.badges: list[QLabel] = []
        if request.read_only:
            self._badge("read-only", QColor("#1a7f37"), header)
        if request.destructive:
            self._badge("destructive", ERROR_RED, header)
        column.addLayout(header)

        about = request.title if request.title and request.title != tool else ""
        about = " — ".join(x for x in (about, " ".join(request.description.split())) if x)
        self.description = QLabel(about, self)
        self.description.setObjectName("approvalDescription")
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        self.description.setWordWrap(True)
        self.description.setVisible(bool(about))
        column.addWidget(self.description)

        label = QLabel("Arguments" if request.arguments else "No arguments", self)
        label.setObjectName("approvalArgumentsLabel")
        column.addWidget(label)
        self.arguments = QPlainTextEdit(self)
        self.arguments.setObjectName("approvalArguments")
        self.arguments.setAccessibleName("Tool arguments")
        self.arguments.setReadOnly(True)
        self.arguments.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.arguments.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.arguments.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.arguments.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.arguments.setPlainText(request.arguments_json())
        self.arguments.setVisible(bool(request.arguments))
        self.arguments.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        column.addWidget(self.arguments)
        self._fit_arguments()

        row = QHBoxLayout()
        row.setSpacing(6)
        self.buttons: dict[Decision, QPushButton] = {}
        for decision in (
            Decision.DENY,
            Decision.ALLOW_ONCE,
            Decision.ALLOW_CONVERSATION,
            Decision.ALLOW_ALWAYS,
        ):
            button = QPushButton(decision.label, self)
            button.setObjectName(f"approval_{decision.value}")
            button.setAutoDefault(True)  # Enter on a focused button chooses that button
            button.clicked.connect(lambda _=False, d=decision: self.decide(d))
            self.buttons[decision] = button
            row.addWidget(button)
            if decision is Decision.DENY:
                row.addStretch(1)
        self.buttons[Decision.ALLOW_ONCE].setToolTip("Enter")
        self.buttons[Decision.ALLOW_ONCE].setDefault(True)  # drawn as the one Enter chooses
        self.buttons[Decision.DENY].setToolTip("Esc")
        column.addLayout(row)
        self.outcome = QLabel(self)
        self.outcome.setObjectName("approvalOutcome")
        self.outcome.hide()
        column.addWidget(self.outcome)

    # --- choices -----------------------------------------------------------------------------

    def decide(self, decision: Decision) -> None:
        """Choose (once); the buttons give way to a line saying what was chosen."""
        if not self.open:
            return
        self.decision = decision
        self.give_up_focus()
        self._close_with("Denied" if decision is Decision.DENY else decision.label)
        self.decided.emit(decision)

    def withdraw(self) -> None:
        """The call no longer waits (the answer was stopped)."""
        if self.open:
            self._close_with("No longer needed: the answer was stopped")

    def _close_with(self, text: str) -> None:
        self.open = False
        for button in self.buttons.values():
            button.setEnabled(False)
            button.hide()
        self.outcome.setText(text)
        self.outcome.show()

    # --- keys and focus ------------------------------------------------------------------------

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if self.open and e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.decide(Decision.ALLOW_ONCE)
        elif self.open and e.key() == Qt.Key.Key_Escape:
            self.decide(Decision.DENY)
        else:
            super().keyPressEvent(e)

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        if self.open:
            QTimer.singleShot(0, self, self._take_focus)

    def _take_focus(self) -> None:
        if self.open and self.isVisible():
            self.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- looks -----------------------------------------------------------------------------------

    def _badge(self, text: str, color: QColor, row: QHBoxLayout) -> None:
        pal = self.palette()
        if is_dark(pal):
            color = mix(color, QColor("white"), 0.35)
        badge = QLabel(text, self)
        badge.setObjectName(f"badge_{text.replace('-', '_')}")
        badge.setToolTip("As the server describes its tool (not verified)")
        badge.setStyleSheet(
            f"QLabel {{ color: {color.name()}; border: 1px solid {color.name()};"
            " border-radius: 8px; padding: 0px 6px; }"
        )
        badge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.badges.append(badge)
        row.addWidget(badge, 0, Qt.AlignmentFlag.AlignVCenter)

    def _fit_arguments(self) -> None:
        lines = self.arguments.toPlainText().count("\n") + 1
        metrics = self.arguments.fontMetrics()
        shown = min(lines, MAX_ARGUMENT_LINES)
        frame = self.arguments.frameWidth() * 2 + int(
            self.arguments.document().documentMargin() * 2
        )
        self.arguments.setFixedHeight(shown * metrics.lineSpacing() + frame + 4)
        muted = muted_color(self.palette())
        self.description.setStyleSheet(f"color: {muted.name()}")
