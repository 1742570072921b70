"""The history windows as a person uses them: the search palette's keys and filters, the
import report, the export dialog's choices, the backups list."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from chatdesk.history.backups import BackupInfo
from chatdesk.history.model import ImportReport, Skipped
from chatdesk.storage.search import SearchFilter, SearchHit
from chatdesk.ui.history.backups_dialog import BackupsDialog
from chatdesk.ui.history.export_dialog import ExportDialog
from chatdesk.ui.history.import_dialog import ImportDialog
from chatdesk.ui.history.search_palette import SearchPalette, SearchRequest, snippet_html


def hit(message_id: int, title: str = "Rome", role: str = "user") -> SearchHit:
    return SearchHit(message_id, 1, title, role, "a \x02pasta\x03 <b>dish</b>", time.time())  # type: ignore[arg-type]


def test_palette_asks_with_filters_and_opens_the_chosen_result(qtbot: QtBot) -> None:
    palette = SearchPalette()
    qtbot.addWidget(palette)
    palette.show()
    asked: list[SearchRequest] = []
    palette.searchRequested.connect(asked.append)
    opened: list[int] = []
    palette.openRequested.connect(opened.append)

    palette._current_chat = 7
    palette.who.setCurrentIndex(1)  # Me
    palette.scope.setCurrentIndex(1)  # This chat
    palette.period.setCurrentIndex(2)  # Past 7 days
    QTest.keyClicks(palette.field, "pasta")
    qtbot.waitUntil(lambda: bool(asked) and asked[-1].text == "pasta")
    where = asked[-1].where
    assert (where.role, where.conversation_id, where.order) == ("user", 7, "newest")
    assert where.since is not None and time.time() - where.since < 8 * 24 * 3600

    stale = SearchRequest("past", SearchFilter())
    palette.show_results(stale, [hit(1)])
    assert palette.results.count() == 0  # results for what is no longer typed are ignored
    palette.show_results(palette.request(), [hit(1), hit(2, "Oslo"), hit(3)])
    assert palette.state.text() == "3 results"
    assert palette.results.currentRow() == 0
    QTest.keyClick(palette.field, Qt.Key.Key_Down)
    QTest.keyClick(palette.field, Qt.Key.Key_Down)
    QTest.keyClick(palette.field, Qt.Key.Key_Up)
    assert palette.results.currentRow() == 1
    QTest.keyClick(palette.field, Qt.Key.Key_Return)
    assert opened == [2] and not palette.isVisible()


def test_snippets_are_escaped_and_marked() -> None:
    html = snippet_html("a \x02pasta\x03 <b>dish</b>", "#fff1a8", "#1f2328")
    assert "&lt;b&gt;dish&lt;/b&gt;" in html
    assert "<span style='background:#fff1a8; color:#1f2328; font-weight:600'>pasta</span>" in html


def test_import_report_lists_each_skipped_chat_and_offers_the_first(qtbot: QtBot) -> None:
    dialog = ImportDialog(Path("/downloads/export.zip"))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.open_button.isVisible()  # not before there is something to open
    opened: list[int] = []
    dialog.openRequested.connect(opened.append)
    report = ImportReport(
        "/downloads/export.zip",
        format="ChatGPT",
        imported=2,
        messages=10,
        conversation_ids=[41, 42],
        skipped=[Skipped("Loop", "its message tree has a cycle (at node 'x')")],
    )
    dialog.show_report(report)
    assert dialog.counts.text() == "Imported 2 chats with 10 messages, 1 skipped."
    assert "• “Loop”: its message tree has a cycle" in dialog.details.toPlainText()
    QTest.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert opened == [41]


def test_esc_during_an_import_cancels_it_first(qtbot: QtBot) -> None:
    dialog = ImportDialog(Path("big.zip"))
    qtbot.addWidget(dialog)
    dialog.show()
    cancelled: list[bool] = []
    dialog.cancelRequested.connect(lambda: cancelled.append(True))
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert cancelled == [True] and dialog.isVisible()
    dialog.show_failure("Could not import big.zip: it ends in the middle of an entry.")
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_export_dialog_offers_the_chats_chosen_in_the_list(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = ExportDialog(current=3, selected=(5, 9), total=12, folder=tmp_path, dark=True)
    qtbot.addWidget(dialog)
    assert dialog.selected_chats.isChecked()
    dialog.format.setCurrentIndex(dialog.format.findData("json"))
    dialog.files.setChecked(True)
    choice = dialog.choice()
    assert (choice.fmt, choice.ids, choice.include_files, choice.folder) == (
        "json",
        (5, 9),
        True,
        tmp_path,
    )
    only_open = ExportDialog(current=3, selected=(3,), total=12, folder=tmp_path, dark=False)
    qtbot.addWidget(only_open)
    assert only_open.selected_chats.isHidden() and only_open.this_chat.isChecked()
    assert only_open.choice().ids == (3,)
    only_open.all_chats.setChecked(True)
    assert only_open.choice().ids is None


def test_backups_list_and_restore_asks_first(qtbot: QtBot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    dialog = BackupsDialog(tmp_path, 7)
    qtbot.addWidget(dialog)
    infos = [
        BackupInfo(tmp_path / "b.db", 1_700_000_100, 2_000_000, 12, 340, "daily"),
        BackupInfo(tmp_path / "a.db", 1_700_000_000, 1_000_000, 10, 300, "manual"),
    ]
    dialog.set_backups(infos)
    assert dialog.table.topLevelItemCount() == 2 and dialog.state.text() == "2 backups."
    assert dialog.table.topLevelItem(0).text(1) == "Daily"
    wanted: list[BackupInfo] = []
    dialog.restoreRequested.connect(wanted.append)
    answers = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda *args: next(answers))
    dialog.restore_button.click()
    assert wanted == []  # Cancel changes nothing
    dialog.restore_button.click()
    assert wanted == [infos[0]]
