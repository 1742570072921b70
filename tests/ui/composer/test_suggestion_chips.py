"""Suggestion chips, the "/" popup on the real composer, and the suggestions dialog."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from chatdesk import paths
from chatdesk.core.suggestions import Suggestion
from chatdesk.storage.suggestions import FILE_NAME, SuggestionStore
from chatdesk.ui.composer.composer import Composer
from chatdesk.ui.composer.slash_popup import SlashPopup
from chatdesk.ui.composer.suggestion_chips import SuggestionChips
from chatdesk.ui.composer.suggestions_dialog import SuggestionsDialog
from chatdesk.ui.composer.suggestions_service import SuggestionsService
from chatdesk.ui.kit.task_runner import TaskRunner
from qtapp import SignalWaiter

pytestmark = pytest.mark.gui

ITEMS = [
    Suggestion("sum", "Summarize", "Summarize this:\n\n"),
    Suggestion("exp", "Explain simply", "Explain simply:\n\n"),
    Suggestion("rev", "Review my code", "Review this code:\n"),
]


def test_chips_put_the_template_in_and_offer_editing(qtbot: QtBot) -> None:
    chips = SuggestionChips()
    qtbot.addWidget(chips)
    chips.set_suggestions(ITEMS)
    assert [c.text() for c in chips.chips] == ["Summarize", "Explain simply", "Review my code"]
    assert chips.chips[2].toolTip() == "Review this code:"
    with qtbot.waitSignal(chips.suggestionChosen) as chosen:
        QTest.mouseClick(chips.chips[1], Qt.MouseButton.LeftButton)
    assert chosen.args == ["Explain simply:\n\n"]
    chips.show()
    chips.chips[0].setFocus()
    with qtbot.waitSignal(chips.suggestionChosen) as chosen:
        QTest.keyClick(chips.chips[0], Qt.Key.Key_Space)  # keyboard works too
    assert chosen.args == ["Summarize this:\n\n"]
    with qtbot.waitSignal(chips.manageRequested):
        QTest.mouseClick(chips.manage_button, Qt.MouseButton.LeftButton)
    chips.set_suggestions(ITEMS[:1])
    assert len(chips.chips) == 1


def _composer(qtbot: QtBot) -> tuple[Composer, SlashPopup]:
    composer = Composer()
    qtbot.addWidget(composer)
    composer.show()
    composer.edit.setFocus()
    popup = SlashPopup(composer.edit)
    popup.set_suggestions(ITEMS)
    return composer, popup


def test_slash_lists_matches_and_enter_puts_the_template_in_without_sending(
    qtbot: QtBot,
) -> None:
    composer, popup = _composer(qtbot)
    QTest.keyClicks(composer.edit, "/")
    assert popup.visible and popup.shown() == ["Summarize", "Explain simply", "Review my code"]
    QTest.keyClicks(composer.edit, "re")
    assert popup.shown() == ["Review my code"]
    QTest.keyClick(composer.edit, Qt.Key.Key_Backspace)
    QTest.keyClick(composer.edit, Qt.Key.Key_Backspace)
    QTest.keyClicks(composer.edit, "e")
    assert popup.shown() == ["Explain simply", "Summarize", "Review my code"]
    QTest.keyClick(composer.edit, Qt.Key.Key_Down)
    with (
        qtbot.assertNotEmitted(composer.sendRequested),
        qtbot.waitSignal(popup.suggestionChosen) as chosen,
    ):
        QTest.keyClick(composer.edit, Qt.Key.Key_Return)
    assert chosen.args[0].id == "sum"
    assert composer.text() == "Summarize this:\n\n" and not popup.visible
    QTest.keyClicks(composer.edit, "the text")
    with qtbot.waitSignal(composer.sendRequested) as sent:
        QTest.keyClick(composer.edit, Qt.Key.Key_Return)  # Enter sends again once it is closed
    assert sent.args == ["Summarize this:\n\nthe text"]


def test_escape_closes_the_popup_without_stopping_and_plain_text_never_opens_it(
    qtbot: QtBot,
) -> None:
    composer, popup = _composer(qtbot)
    QTest.keyClicks(composer.edit, "/zzz")
    assert not popup.visible  # nothing matches
    composer.edit.clear()
    QTest.keyClicks(composer.edit, "/s")
    assert popup.visible
    with qtbot.assertNotEmitted(composer.stopRequested):
        QTest.keyClick(composer.edit, Qt.Key.Key_Escape)
    assert not popup.visible and composer.text() == "/s"
    composer.edit.clear()
    QTest.keyClicks(composer.edit, "see /s")
    assert not popup.visible
    composer.edit.clear()
    QTest.keyClicks(composer.edit, "/")
    item = popup.popup.item(2)
    popup.popup.itemClicked.emit(item)  # a click on an entry
    assert composer.text() == "Review this code:\n"


async def test_the_dialog_creates_edits_reorders_and_deletes(qtbot: QtBot, data_dir: Path) -> None:
    path = data_dir / FILE_NAME
    store = SuggestionStore(path, paths.defaults_dir() / "suggestions.json")
    runner = TaskRunner()
    service = SuggestionsService(store, runner)
    shipped = await service.load()
    dialog = SuggestionsDialog(service)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.list.count() == len(shipped)
    assert dialog.title_edit.text() == shipped[0].title

    async def click(button: QPushButton) -> None:
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        await runner.wait_idle()  # the file is written off the loop

    QTest.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    assert dialog.title_edit.text() == "" and dialog.focusWidget() is dialog.title_edit
    await click(dialog.save_button)
    assert dialog.error_label.text() == (
        "⛔  A suggestion needs a title. A suggestion needs the text it puts into the message box."
    )
    QTest.keyClicks(dialog.title_edit, shipped[1].title.upper())
    dialog.text_edit.setPlainText("Anything")
    await click(dialog.save_button)
    assert "already exists" in dialog.error_label.text()

    dialog.title_edit.setText("Haiku")
    changed = SignalWaiter(dialog.suggestionsChanged)
    await click(dialog.save_button)
    assert [s.title for s in (await changed.wait())[0]][-1] == "Haiku"
    assert dialog.error_label.text() == "✓  Saved “Haiku”"
    await click(dialog.up_button)
    titles = [s.title for s in SuggestionStore(path).load()]
    assert titles[-2:] == ["Haiku", shipped[-1].title]

    dialog.list.setCurrentRow(0)
    dialog.text_edit.setPlainText("Edited text")
    await click(dialog.save_button)
    assert SuggestionStore(path).load()[0].text == "Edited text"
    await click(dialog.delete_button)
    assert SuggestionStore(path).load()[0].title == shipped[1].title
    assert dialog.title_edit.text() == shipped[1].title  # the next one is shown
