"""The chat tests' shown ChatView (``view``); ``chat_support.msg`` makes their messages."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from chatdesk.ui.chat.chat_view import ChatView


@pytest.fixture
def view(qtbot: QtBot) -> Iterator[ChatView]:
    """A ChatView in a shown 1000x800 window."""
    window = QMainWindow()
    chat = ChatView()
    window.setCentralWidget(chat)
    window.resize(1000, 800)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield chat
