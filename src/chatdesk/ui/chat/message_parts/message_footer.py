"""The row under an answer: copy, retry, "Answer again", the meta line and a status note."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from chatdesk.core.models import Message, MessageStatus
from chatdesk.ui.kit.flat_button import flat_button
from chatdesk.ui.kit.formatting import format_meta, format_token_split
from chatdesk.ui.kit.icons import icon

__all__ = ["MessageFooter"]


class MessageFooter(QWidget):
    """A message's footer; Retry and "Answer again" both ask for the answer anew."""

    retryClicked = Signal()

    def __init__(self, copy_button: QToolButton | None, parent: QWidget | None = None) -> None:
        """``copy_button`` leads the row when given (a user's message keeps it by its bubble)."""
        super().__init__(parent)
        footer = QHBoxLayout(self)
        footer.setContentsMargins(0, 0, 0, 0)
        footer.setSpacing(2)
        if copy_button is not None:
            footer.addWidget(copy_button)
        self.retry_button = flat_button(self, "Retry", "Retry", "retryMessageButton")
        self.retry_button.clicked.connect(lambda: self.retryClicked.emit())
        self.retry_button.hide()
        footer.addWidget(self.retry_button)
        # On every complete answer: answer its question again (a new alternative).
        self.regenerate_button = flat_button(self, "Regenerate", "Answer again", "regenerateButton")
        self.regenerate_button.hide()  # its click and menu: see BranchActions
        footer.addWidget(self.regenerate_button)
        footer.addSpacing(6)
        self.meta_label = QLabel(self)
        self.meta_label.setObjectName("messageMeta")
        self.meta_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta_label.hide()
        footer.addWidget(self.meta_label)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("statusNote")
        self.status_label.hide()
        footer.addSpacing(6)
        footer.addWidget(self.status_label)
        footer.addStretch(1)

    def add_branch_bar(self, bar: QWidget) -> None:
        """The answer's navigator and branch actions, after "Answer again"."""
        row = self.layout()
        assert isinstance(row, QHBoxLayout)
        row.insertWidget(row.indexOf(self.regenerate_button) + 1, bar)

    def show_meta(self, message: Message, model: str) -> None:
        """Model, tokens and cost of an answer (``model`` when the message names none)."""
        meta = format_meta(
            message.model or model, message.prompt_tokens, message.completion_tokens, message.cost
        )
        self.meta_label.setText(meta)
        self.meta_label.setVisible(bool(meta))
        split = format_token_split(message.prompt_tokens, message.completion_tokens)
        if split:
            self.meta_label.setToolTip(split)

    def show_status(self, status: MessageStatus, *, can_retry: bool) -> None:
        """ "Stopped" or "Interrupted" (with Retry when ``can_retry``), else no note."""
        if status in (MessageStatus.CANCELLED, MessageStatus.STREAMING):
            self.status_label.setText(
                "Stopped" if status is MessageStatus.CANCELLED else "Interrupted"
            )
            self.status_label.show()
            self.retry_button.setVisible(can_retry)
        else:
            self.hide_status()

    def hide_status(self) -> None:
        """No status note and no Retry (an error card offers it instead)."""
        self.status_label.hide()
        self.retry_button.hide()

    def restyle(self, small: QFont, muted: QColor) -> None:
        """Small muted labels; icons in the muted colour."""
        for label in (self.meta_label, self.status_label):
            label.setFont(small)
            lp = label.palette()
            lp.setColor(QPalette.ColorRole.WindowText, muted)
            lp.setColor(QPalette.ColorRole.Text, muted)
            label.setPalette(lp)
        for button in (self.retry_button, self.regenerate_button):
            button.setIcon(icon("retry", muted))
            button.setToolTip(button.accessibleName())
