"""The first-run panel shown in the chat area when no API key is configured."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from chatdesk.providers.local_servers import LocalServer

KEYS_URL = "https://openrouter.ai/keys"


class FirstRunPanel(QWidget):
    """Welcome, where to get a key, a field to paste it, and the local-server alternative."""

    keySubmitted = Signal(str)
    openSettingsRequested = Signal()
    localServerChosen = Signal(object)  # LocalServer

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunPanel")
        card = QFrame(self)
        card.setObjectName("firstRunCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        card.setMaximumWidth(600)
        card.setMinimumWidth(320)
        card.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)

        title = QLabel("<h2>Welcome to chatdesk</h2>", card)
        intro = QLabel(
            "chatdesk talks to hundreds of models through "
            f'<a href="https://openrouter.ai">OpenRouter</a>. Create a key at '
            f'<a href="{KEYS_URL}">openrouter.ai/keys</a> and paste it below. It is kept in '
            "your system keyring, never in a file.",
            card,
        )
        intro.setWordWrap(True)
        intro.setOpenExternalLinks(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

        self.key_edit = QLineEdit(card)
        self.key_edit.setObjectName("firstRunKeyEdit")
        self.key_edit.setAccessibleName("OpenRouter API key")
        self.key_edit.setPlaceholderText("Paste your key: sk-or-v1-…")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.save_button = QPushButton("Save key", card)
        self.save_button.setObjectName("firstRunSaveButton")
        self.save_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.key_edit, 1)
        row.addWidget(self.save_button)

        self.status = QLabel(card)
        self.status.setObjectName("firstRunStatus")
        self.status.setWordWrap(True)
        self.status.hide()

        local = QLabel(
            "<b>Running models locally?</b> Point chatdesk at any OpenAI-compatible server — "
            "Ollama (<code>http://localhost:11434/v1</code>), llama.cpp, LM Studio — in "
            "Settings, or start it with <code>OPENROUTER_BASE_URL</code> set. No key needed.",
            card,
        )
        local.setWordWrap(True)
        settings_button = QPushButton("Open settings…", card)
        settings_button.setObjectName("firstRunSettingsButton")

        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(12)
        inner.addWidget(title)
        inner.addWidget(intro)
        inner.addLayout(row)
        inner.addWidget(self.status)
        inner.addSpacing(8)
        inner.addWidget(local)
        self.found = QVBoxLayout()  # servers found on this computer, one button each
        self.found.setSpacing(6)
        inner.addLayout(self.found)
        inner.addWidget(settings_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.found_buttons: list[QPushButton] = []

        # Stretches, not an alignment: an aligned widget gets its size hint, which is too narrow
        # for word-wrapped labels to lay out their full height.
        row_layout = QHBoxLayout()
        row_layout.addStretch(1)
        row_layout.addWidget(card, 100)
        row_layout.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 24, 24, 24)
        outer.addStretch(1)
        outer.addLayout(row_layout)
        outer.addStretch(2)

        self.key_edit.textChanged.connect(
            lambda text: self.save_button.setEnabled(bool(text.strip()))
        )
        self.key_edit.returnPressed.connect(self._submit)
        self.save_button.clicked.connect(self._submit)
        settings_button.clicked.connect(self.openSettingsRequested)

    def _submit(self) -> None:
        key = self.key_edit.text().strip()
        if key:
            self.keySubmitted.emit(key)

    def offer_local(self, servers: Sequence[LocalServer]) -> None:
        """A button for each OpenAI-compatible server found running on this computer."""
        for button in self.found_buttons:
            button.deleteLater()
        self.found_buttons = []
        for server in servers:
            count = len(server.models)
            button = QPushButton(
                f"Use {server.name} on this computer ({count} model{'s' if count != 1 else ''})",
                self,
            )
            button.setObjectName("firstRunLocalButton")
            button.setToolTip(f"{server.base_url} · {', '.join(server.models[:5])}")
            button.clicked.connect(lambda _=False, s=server: self.localServerChosen.emit(s))
            self.found.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            self.found_buttons.append(button)

    def show_problem(self, text: str) -> None:
        """Say why the key could not be used; the pasted key stays in the field."""
        self.status.setText(f"⚠ {text}")
        self.status.show()
