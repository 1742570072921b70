"""Who speaks in a message: "You" on the right, or the model's short name beside its avatar."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from chatdesk.core.models import Role
from chatdesk.ui.kit.avatar import Avatar

__all__ = ["MessageHeader", "short_model"]


def short_model(model: str) -> str:
    """``gpt-4o`` for ``openai/gpt-4o``."""
    return model.rsplit("/", 1)[-1]


class MessageHeader(QWidget):
    """The role line above a message's text."""

    def __init__(self, role: Role, model: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._role = role
        header = QHBoxLayout(self)
        header.setContentsMargins(0, 0, 0, 0)
        header.setSpacing(8)
        self.role_label = QLabel(self)
        self.role_label.setObjectName("roleLabel")
        self._avatar: Avatar | None = None
        if role == "user":
            header.addStretch(1)
            self.role_label.setText("You")
        else:
            self._avatar = Avatar(short_model(model) or "A", self)
            header.addWidget(self._avatar)
            self.role_label.setText(short_model(model) or "Assistant")
        header.addWidget(self.role_label)
        if role != "user":
            header.addStretch(1)

    def show_model(self, model: str) -> None:
        """An answer names the model that gave it (the full name in the tooltip)."""
        if self._role != "assistant":
            return
        self.role_label.setText(short_model(model))
        self.role_label.setToolTip(model)
        if self._avatar is not None:
            self._avatar.set_text(short_model(model))

    def restyle(self, base: QFont, small: QFont, text: QColor, muted: QColor) -> None:
        """A user's line small and muted; an answer's in the text colour, semi-bold."""
        role_font = QFont(base)
        role_font.setWeight(QFont.Weight.DemiBold)
        if self._role == "user":
            role_font = QFont(small)
        self.role_label.setFont(role_font)
        rp = self.role_label.palette()
        role_color = muted if self._role == "user" else text
        rp.setColor(QPalette.ColorRole.WindowText, role_color)
        rp.setColor(QPalette.ColorRole.Text, role_color)
        self.role_label.setPalette(rp)
