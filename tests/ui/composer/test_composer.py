"""The composer's text field fits its height to its lines, in the font it is shown with."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFont
from pytestqt.qtbot import QtBot

from chatdesk.ui.composer.composer import Composer
from chatdesk.ui.composer.composer_edit import MIN_LINES

pytestmark = pytest.mark.gui


def test_a_bigger_font_makes_the_empty_field_taller_at_once(qtbot: QtBot) -> None:
    composer = Composer()
    qtbot.addWidget(composer)
    edit = composer.edit
    before = edit.height()
    font = QFont(edit.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    edit.setFont(font)  # as the theme or the zoom does, with no edit of the text
    fitted = edit.height()
    assert fitted > before
    assert fitted >= MIN_LINES * edit.fontMetrics().lineSpacing()
    edit.setPlainText("one line")
    edit.clear()
    assert edit.height() == fitted  # what an edit would have fitted it to anyway
