"""Branch actions in the running app against the fake OpenRouter: delete with Undo, branch off,
a search hit on another branch, editing while an answer streams, answering again while the
provider fails, and a summary request that fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from branch_support import answer_to_last_question, ask, shown
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from chatdesk.core.models import MessageStatus
from fakes.openrouter import FakeOpenRouter, Gate, Reply
from qtapp import SignalWaiter, started_app

pytestmark = pytest.mark.gui


async def test_delete_a_branch_then_undo_it(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    app_env.set_default(answer_to_last_question)
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None
        await ask(app, "One", "Two")
        paths = SignalWaiter(app.controller.branches.pathChanged)
        deleted = SignalWaiter(app.controller.branches.branchDeleted)
        two = app.window.chat_view.message_widgets()[2]
        two.setFocus()
        QTest.keyClick(two, Qt.Key.Key_Delete)
        await deleted.wait()
        assert shown(app) == ["One", "An answer to One."]
        banner = app.window.banner
        assert banner.isVisible() and "Branch deleted (2 messages)" in banner.label.text()

        QTest.mouseClick(banner.action, Qt.MouseButton.LeftButton)  # Undo
        await paths.wait(2)
        assert shown(app)[-2:] == ["Two", "An answer to Two."]


async def test_branch_off_opens_a_new_chat_with_the_path_up_to_the_message(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    app_env.set_default(answer_to_last_question)
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None
        await ask(app, "One", "Two")
        first = app.controller.conversation_id
        opened = SignalWaiter(app.controller.conversationOpened)
        answer_one = app.window.chat_view.message_widgets()[1]
        QTest.mouseClick(answer_one.branch_bar.branch_button, Qt.MouseButton.LeftButton)
        await opened.wait()
        await app.runner.wait_idle()
        assert app.controller.conversation_id != first
        assert shown(app) == ["One", "An answer to One."]
        assert app.controller.conversation is not None
        assert app.controller.conversation.title.endswith("(branch)")
        await ask(app, "Three")
        body = app_env.requests_to()[-1].json or {}
        assert [m["content"] for m in body["messages"]] == ["One", "An answer to One.", "Three"]


async def test_a_search_hit_on_another_branch_opens_that_branch(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    app_env.set_default(answer_to_last_question)
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None and app.repository
        await ask(app, "Tell me about walruses")
        paths = SignalWaiter(app.controller.branches.pathChanged)
        app.controller.branches.edit(1, "Tell me about narwhals")
        await paths.wait()
        await app.runner.wait_idle()
        assert shown(app)[0] == "Tell me about narwhals"

        (hit,) = [h for h in await app.repository.search("walruses") if h.role == "user"]
        opened = SignalWaiter(app.controller.conversationOpened)
        app.controller.branches.open_message(hit.message_id)
        await opened.wait()
        await app.runner.wait_idle()
        assert shown(app) == ["Tell me about walruses", "An answer to Tell me about walruses."]


async def test_editing_while_an_answer_streams_stops_it_and_keeps_its_text(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    gate = Gate()
    app_env.enqueue(Reply.stream(["Half ", "of it", " and the rest"], hold_after=(2, gate)))
    app_env.set_default(answer_to_last_question)
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None and app.repository
        deltas = SignalWaiter(app.controller.streamDelta)
        window = app.window
        window.composer.edit.setFocus()
        QTest.keyClicks(window.composer.edit, "A long question")
        QTest.keyClick(window.composer.edit, Qt.Key.Key_Return)
        await deltas.wait()
        assert app.controller.busy

        QTest.keyClick(window.composer.edit, Qt.Key.Key_Up)  # edit it while it streams
        editor = QApplication.focusWidget()
        assert editor is not None and editor is not window.composer.edit
        QTest.keyClicks(editor, ", shorter")
        paths = SignalWaiter(app.controller.branches.pathChanged)
        QTest.keyClick(editor, Qt.Key.Key_Return)
        await paths.wait()
        await app.runner.wait_idle()
        gate.set()

        assert shown(app) == ["A long question, shorter", "An answer to A long question, shorter."]
        conversation_id = app.controller.conversation_id
        assert conversation_id is not None
        stored = await app.repository.all_messages(conversation_id)
        stopped = [m for m in stored if m.status is MessageStatus.CANCELLED]
        assert len(stopped) == 1 and stopped[0].content.startswith("Half")


async def test_answering_again_while_the_provider_fails_keeps_the_answer_and_says_why(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    app_env.set_default(answer_to_last_question)
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None
        await ask(app, "One")
        app_env.enqueue(Reply.error(402, "Insufficient credits"))  # not retried
        notices = SignalWaiter(app.controller.notice)
        paths = SignalWaiter(app.controller.branches.pathChanged)
        answer = app.window.chat_view.message_widgets()[1]
        QTest.mouseClick(answer.regenerate_button, Qt.MouseButton.LeftButton)
        await paths.wait()
        await app.runner.wait_idle()
        assert shown(app) == ["One", "An answer to One."]
        level, text = notices.values[-1]
        assert level == "error" and "Could not answer again" in text
        assert "The previous answer is kept." in text
        assert app.window.chat_view.message_widgets()[1].navigator_position == (1, 1)


async def test_a_failing_summary_leaves_the_chat_as_it_was(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    app_env.set_default(answer_to_last_question)
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None and app.repository
        await ask(app, "One", "Two", "Three")
        app_env.enqueue(Reply.error(402, "Insufficient credits"))
        notices = SignalWaiter(app.controller.notice)
        app.controller.branches.summarise()
        await notices.wait()
        level, text = notices.values[-1]
        assert level == "error" and "Could not summarise the earlier messages" in text
        assert "unchanged" in text
        conversation_id = app.controller.conversation_id
        assert conversation_id is not None
        assert await app.repository.summaries(conversation_id) == []

        app_env.enqueue(Reply.completion("They counted."), Reply.completion("Counting."))
        paths = SignalWaiter(app.controller.branches.pathChanged)
        app.controller.branches.summarise()
        await paths.wait()
        await app.runner.wait_idle()
        (summary,) = await app.repository.summaries(conversation_id)
        from chatdesk.ui.chat.summary_marker import SummaryMarker

        markers = [m for m in app.window.chat_view.findChildren(SummaryMarker) if m.isVisible()]
        assert len(markers) == 1 and markers[0].summary == summary


async def test_a_chat_found_by_the_sidebar_search_opens_on_the_matching_branch(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    app_env.set_default(answer_to_last_question)
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None
        await ask(app, "Tell me about walruses")
        conversation_id = app.controller.conversation_id
        assert conversation_id is not None
        paths = SignalWaiter(app.controller.branches.pathChanged)
        app.controller.branches.edit(1, "Tell me about narwhals")
        await paths.wait()
        await app.runner.wait_idle()
        app.controller.new_conversation()

        filtered = SignalWaiter(app.window.sidebar.filterChanged)
        app.window.sidebar.search.setText("walruses")  # the sidebar's filter, as typed
        await filtered.wait()
        await app.runner.wait_idle()
        opened = SignalWaiter(app.controller.conversationOpened)
        app.controller.open_conversation(conversation_id)
        await opened.wait()
        await app.runner.wait_idle()
        assert shown(app)[0] == "Tell me about walruses"
