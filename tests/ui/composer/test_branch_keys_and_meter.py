"""The composer's part in branches: Up in the empty composer asks to edit the last question
(and only then), and the context meter beside Send."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from chatdesk.ui.composer.composer import Composer
from chatdesk.ui.composer.context_meter import NEAR_LIMIT_TIP, ContextMeter


def test_up_in_the_empty_composer_asks_to_edit_the_last_question(qtbot: QtBot) -> None:
    composer = Composer()
    qtbot.addWidget(composer)
    composer.show()
    asked: list[bool] = []
    composer.editLastRequested.connect(lambda: asked.append(True))

    QTest.keyClick(composer.edit, Qt.Key.Key_Up)
    assert asked == [True]

    QTest.keyClicks(composer.edit, "first line")
    QTest.keyClick(composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClicks(composer.edit, "second")
    QTest.keyClick(composer.edit, Qt.Key.Key_Up)  # a draft: Up moves the cursor, as always
    assert asked == [True]
    assert composer.edit.textCursor().blockNumber() == 0
    assert composer.text() == "first line\nsecond"
    QTest.keyClick(composer.edit, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    assert asked == [True]


def test_the_meter_warns_from_eighty_percent(qtbot: QtBot) -> None:
    meter = ContextMeter()
    qtbot.addWidget(meter)
    assert meter.isHidden()

    meter.set_usage(12_300, 128_000)  # compact_count rounds to whole thousands
    assert not meter.isHidden() and meter.text == "12k / 128k"
    assert not meter.warning and NEAR_LIMIT_TIP not in meter.toolTip()

    meter.set_usage(799, 1000)
    assert not meter.warning
    meter.set_usage(800, 1000)
    assert meter.warning and meter.toolTip().startswith(NEAR_LIMIT_TIP)

    meter.set_usage(5_000, None)  # the model's limit is unknown
    assert meter.text == "5k tokens" and not meter.warning and meter.fraction is None
    meter.set_usage(0, None)
    assert meter.isHidden()


def test_the_composer_shows_the_meter(qtbot: QtBot) -> None:
    composer = Composer()
    qtbot.addWidget(composer)
    composer.show()
    composer.context_meter.set_usage(100, 1000)
    assert composer.context_meter.isVisible()
