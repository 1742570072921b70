"""Your history in the app: import a ChatGPT export, find a message with Ctrl+K, export it,
back up, delete, restore; a damaged database at start; changes made by the command line."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from chatdesk.app.root import ChatdeskApp
from chatdesk.history.backups import list_backups, make_backup, mark_checked
from chatdesk.history.importer import import_file
from chatdesk.storage.search import SearchFilter
from chatdesk.ui.chat.message_flash import MessageFlash
from chatdesk.ui.history.export_dialog import ExportChoice
from chatdesk.ui.history.import_dialog import ImportDialog
from chatdesk.ui.history.search_palette import SearchPalette
from fakes.openrouter import FakeOpenRouter
from qtapp import SignalWaiter, started_app

sys.path.insert(0, str(Path(__file__).parents[1] / "history"))
from samples import claude_conversations, write_chatgpt_zip, write_json

pytestmark = pytest.mark.gui


def titles(app: ChatdeskApp) -> list[str]:
    assert app.window is not None
    lst = app.window.sidebar.list
    return [lst.item(r).text() for r in range(lst.count())]


def shown(app: ChatdeskApp) -> list[str]:
    assert app.window is not None
    return [w.source for w in app.window.chat_view.message_widgets() if w.isVisible()]


async def test_import_search_export_backup_restore(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path, tmp_path: Path
) -> None:
    export = write_chatgpt_zip(tmp_path / "chatgpt-export.zip")
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None and app.history is not None
        window, controller, flow = app.window, app.controller, app.history

        # File › Import: the progress dialog ends with its report; the list shows the chats.
        await flow.import_files([export])
        dialog = window.findChild(ImportDialog)
        assert dialog is not None, [type(w).__name__ for w in QApplication.topLevelWidgets()]
        assert dialog.counts.text() == "Imported 3 chats with 20 messages, 1 file."
        assert dialog.open_button.isVisible()
        assert sorted(titles(app)) == ["Data analysis", "Messy", "Paris trip"]
        dialog.accept()

        # Ctrl+K, type, Enter: the chat opens on the branch of the match, the message glows.
        if not window.isActiveWindow():  # the import dialog had it
            active = SignalWaiter(window.windowHandle().activeChanged)
            window.activateWindow()
            await active.wait()
        window.composer.edit.setFocus()
        QTest.keyClick(window.composer.edit, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        palette = window.findChild(SearchPalette)
        assert palette is not None
        if not palette.isActiveWindow():
            await SignalWaiter(palette.windowHandle().activeChanged).wait()
        assert palette.isVisible() and palette.field.hasFocus()
        results = SignalWaiter(palette.resultsShown)
        QTest.keyClicks(palette.field, "louvre")
        await results.wait()
        while palette.field.text() != palette.request().text or results.values[-1][0] != 1:
            await results.wait(len(results.values) + 1)
        revealed = SignalWaiter(controller.revealRequested)
        QTest.keyClick(palette.field, Qt.Key.Key_Return)
        (message_id,) = await revealed.wait()
        assert not palette.isVisible()
        assert window.windowTitle().startswith("Paris trip")
        assert shown(app) == ["Plan a weekend in Paris", "Day 1: the Louvre..."]
        widget = window.chat_view.message_widget(message_id)
        assert widget is not None and widget.source == "Day 1: the Louvre..."
        assert any(isinstance(c, MessageFlash) for c in widget.parentWidget().children())

        # A match in a tool's output lands on the message whose card shows it.
        repo = await controller.db()
        (tool_hit,) = [
            h for h in await repo.search_messages("1024", SearchFilter()) if h.role == "tool"
        ]
        controller.branches.open_message(tool_hit.message_id)
        (caller,) = await revealed.wait(2)
        caller_widget = window.chat_view.message_widget(caller)
        card = window.chat_view.tool_card("call_code-1")
        assert caller_widget is not None and card is not None
        assert caller_widget.isAncestorOf(card)
        await app.runner.wait_idle()
        controller.branches.open_message(message_id)
        await revealed.wait(3)

        # Export that chat to HTML.
        out = tmp_path / "exported"
        await flow.export(
            ExportChoice("html", (controller.conversation_id or 0,), out, False, False)
        )
        (page,) = out.iterdir()
        assert page.name == "2023-11-14 Paris trip.html"
        assert "Day 1: the Louvre..." in page.read_text(encoding="utf-8")
        assert "Exported 1 chat to 1 file" in window.banner.label.text()

        # Back up, delete the chat, restore: it is back, and what it replaced is kept.
        await app.runner.wait_idle()
        flow.back_up_now()
        await app.runner.wait_idle()
        (backup,) = list_backups(data_dir)
        controller.delete_conversation(controller.conversation_id or 0)
        await app.runner.wait_idle()
        assert "Paris trip" not in titles(app)
        flow.restore(backup)
        await app.runner.wait_idle()
        assert "Paris trip" in titles(app)
        assert "Restored 3 chats from the backup" in window.banner.label.text()
        kinds = sorted(b.kind for b in list_backups(data_dir))
        assert kinds == ["before-restore", "manual"]


async def test_the_sidebar_follows_an_import_from_the_command_line(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path, tmp_path: Path
) -> None:
    async with started_app(qapp, data_dir) as app:
        assert app.history is not None
        await app.history._changes()  # the version seen now
        export = write_json(tmp_path / "conversations.json", claude_conversations())
        await asyncio.to_thread(import_file, data_dir / "chatdesk.db", export)
        await app.history._changes()  # what the poll timer runs every 2 s
        await app.runner.wait_idle()
        assert sorted(titles(app)) == ["Blocks", "Old style"]


def damage(db_path: Path) -> None:
    """Make the database unreadable, as a failing disk would."""
    db_path.write_bytes(b"SQLite format 3\x00" + b"\x13" * 8000)
    for suffix in ("-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


@pytest.mark.parametrize("checked_lately", [False, True])
async def test_a_damaged_database_is_moved_aside_and_the_newest_backup_offered(
    checked_lately: bool,
    qapp: QApplication,
    app_env: FakeOpenRouter,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db_path = data_dir / "chatdesk.db"
    export = write_json(tmp_path / "c.json", claude_conversations())
    await asyncio.to_thread(import_file, db_path, export)
    await asyncio.to_thread(lambda: make_backup(db_path, kind="daily"))
    if checked_lately:  # the check is skipped at start: the failing open finds the damage
        await asyncio.to_thread(mark_checked, db_path)
    await asyncio.to_thread(damage, db_path)
    asked: list[str] = []

    def answer(_parent: object, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "warning", answer)
    async with started_app(qapp, data_dir) as app:
        await app.runner.wait_idle()
        assert asked and "was damaged" in asked[0] and "(2 chats, 9 messages)" in asked[0]
        assert sorted(titles(app)) == ["Blocks", "Old style"]
        moved = await asyncio.to_thread(lambda: list(data_dir.glob("chatdesk.db.damaged-*")))
        assert len(moved) == 1
