"""The real window, started by ChatdeskApp, driven like a user against the fake OpenRouter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMessageBox,
    QPushButton,
    QTextBrowser,
    QToolBar,
    QToolButton,
)

from chatdesk.app.root import ChatdeskApp
from chatdesk.core.models import MessageStatus
from chatdesk.ui.chat.attachment_strip import AttachmentStrip
from chatdesk.ui.rendering.markdown import render_blocks, render_key
from fakes.keyring import MemoryKeyring
from fakes.openrouter import FakeOpenRouter, Gate, Reply
from fakes.sqlite import query
from qtapp import Launch, SignalWaiter, start_app, started_app

pytestmark = pytest.mark.gui


def _type_and_send(app: ChatdeskApp, text: str) -> None:
    assert app.window is not None
    edit = app.window.composer.edit
    edit.setFocus()
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)


async def _answered_chat(app: ChatdeskApp, fake: FakeOpenRouter, question: str, answer: str) -> int:
    """Ask ``question`` in the open chat, wait for ``answer``; returns the chat's id."""
    assert app.controller is not None
    fake.enqueue(Reply.stream(answer))
    finished = SignalWaiter(app.controller.messageFinished)
    _type_and_send(app, question)
    await finished.wait()
    conversation_id = app.controller.conversation_id
    assert conversation_id is not None
    return conversation_id


def _chat_requests(fake: FakeOpenRouter) -> list[dict[str, object]]:
    """Streamed chat requests (title requests are not streamed)."""
    return [r.json for r in fake.requests_to() if r.json and r.json.get("stream")]


async def test_type_enter_streams_the_reply_and_stores_both(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    app_env.enqueue(Reply.stream("Hello! **How** can I help?"))
    window = running_app.window
    assert window is not None and running_app.controller is not None
    assert window.composer.edit.hasFocus() or QApplication.focusWidget() is window.composer.edit
    finished = SignalWaiter(running_app.controller.messageFinished)

    _type_and_send(running_app, "Hi there")
    assert window.composer.text() == ""  # cleared at once
    (message,) = await finished.wait()

    assert message.role == "assistant" and message.content == "Hello! **How** can I help?"
    assert message.status is MessageStatus.COMPLETE
    assert _chat_requests(app_env)[0]["messages"] == [{"role": "user", "content": "Hi there"}]
    widget = window.chat_view.message_widget(message.id)
    assert widget is not None
    body = widget.findChild(QTextBrowser, "messageBody")
    assert body is not None and "How can I help?" in body.toPlainText()
    assert running_app.repository is not None
    conv_id = running_app.controller.conversation_id
    assert conv_id is not None
    stored = await running_app.repository.list_messages(conv_id)
    assert [(m.role, m.content) for m in stored] == [
        ("user", "Hi there"),
        ("assistant", "Hello! **How** can I help?"),
    ]
    assert "tokens" in window.usage_label.text()
    assert window.composer.send_button.isVisible()
    assert not window.composer.stop_button.isVisible()


async def test_empty_text_is_not_sent(running_app: ChatdeskApp, app_env: FakeOpenRouter) -> None:
    window = running_app.window
    assert window is not None
    QTest.keyClicks(window.composer.edit, "   ")
    assert not window.composer.send_button.isEnabled()
    QTest.keyClick(window.composer.edit, Qt.Key.Key_Return)
    assert app_env.requests_to() == []
    assert window.composer.text() == "   "


async def test_shift_enter_adds_a_line(running_app: ChatdeskApp, app_env: FakeOpenRouter) -> None:
    window = running_app.window
    assert window is not None
    edit = window.composer.edit
    QTest.keyClicks(edit, "line one")
    QTest.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClicks(edit, "line two")
    assert window.composer.text() == "line one\nline two"
    assert app_env.requests_to() == []


async def test_escape_stops_the_stream_and_keeps_the_partial_answer(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    gate = Gate()
    app_env.enqueue(Reply.stream(["Once ", "upon ", "a time"], hold_after=(2, gate)))
    app_env.enqueue(Reply.stream("Second answer."))
    controller = running_app.controller
    window = running_app.window
    assert controller is not None and window is not None
    deltas = SignalWaiter(controller.streamDelta)
    finished = SignalWaiter(controller.messageFinished)
    busy = SignalWaiter(controller.busyChanged)

    _type_and_send(running_app, "Tell a story")
    await deltas.wait()
    assert window.composer.stop_button.isVisible()
    QTest.keyClick(window.composer.edit, Qt.Key.Key_Escape)
    (stopped,) = await finished.wait()
    assert stopped.status is MessageStatus.CANCELLED
    assert stopped.content == "Once upon "
    await busy.wait(2)
    assert busy.values[-1] == (False,)
    gate.set()

    _type_and_send(running_app, "Again")
    (second,) = await finished.wait(2)
    assert second.content == "Second answer."
    history = _chat_requests(app_env)[-1]["messages"]
    assert history == [
        {"role": "user", "content": "Tell a story"},
        {"role": "assistant", "content": "Once upon "},
        {"role": "user", "content": "Again"},
    ]


async def test_mid_stream_failure_keeps_the_partial_answer_and_retry_works(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    app_env.enqueue(Reply.stream("Half an ans", error={"code": 502, "message": "Upstream died"}))
    app_env.enqueue(Reply.stream("A whole answer."))
    controller = running_app.controller
    window = running_app.window
    assert controller is not None and window is not None
    failed = SignalWaiter(controller.turnFailed)
    finished = SignalWaiter(controller.messageFinished)

    _type_and_send(running_app, "Question")
    _message_id, text, _kind, partial = await failed.wait()
    assert "Upstream died" in text
    assert partial is not None and partial.content == "Half an ans"
    card = window.chat_view.findChild(QPushButton, "retryButton")
    assert card is not None and card.isVisible()
    card.click()
    (answer,) = await finished.wait()
    assert answer.content == "A whole answer."
    assert running_app.repository is not None
    stored = await running_app.repository.list_messages(answer.conversation_id)
    assert [m.content for m in stored] == ["Question", "A whole answer."]


async def test_a_bad_key_offers_to_open_settings(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    app_env.enqueue(Reply.error(401, "User not found."))
    controller = running_app.controller
    window = running_app.window
    assert controller is not None and window is not None
    failed = SignalWaiter(controller.turnFailed)
    _type_and_send(running_app, "hello")
    _id, text, kind, _partial = await failed.wait()
    assert kind == "auth"
    assert "key" in text.lower()
    button = window.chat_view.findChild(QPushButton, "openSettingsButton")
    assert button is not None and button.isVisible()


async def test_no_network_shows_retry(
    launch: Launch, app_env: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_BASE_URL", "http://127.0.0.1:9/api/v1")
    async with launch() as app:
        assert app.controller is not None and app.window is not None
        failed = SignalWaiter(app.controller.turnFailed)
        _type_and_send(app, "anyone there?")
        _id, text, kind, _partial = await failed.wait(limit_s=30)
        assert kind == "network"
        assert "127.0.0.1" in text
        button = app.window.chat_view.findChild(QPushButton, "retryButton")
        assert button is not None and button.isVisible()


async def test_switch_rename_pin_and_delete_conversations(
    running_app: ChatdeskApp, app_env: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    controller = running_app.controller
    window = running_app.window
    assert controller is not None and window is not None
    finished = SignalWaiter(controller.messageFinished)
    listed = SignalWaiter(controller.conversationsChanged)
    opened = SignalWaiter(controller.conversationOpened)

    _type_and_send(running_app, "first chat about apples")
    await finished.wait(1)
    first_id = controller.conversation_id
    QTest.keySequence(window, "Ctrl+N")
    assert controller.conversation is None
    _type_and_send(running_app, "second chat about pears")
    await finished.wait(2)
    second_id = controller.conversation_id
    assert first_id is not None and second_id is not None and first_id != second_id

    await listed.wait(len(listed.values) + 1)
    ids = window.sidebar.conversation_ids()
    assert ids[:2] == [second_id, first_id]  # newest first

    # Switch back to the first conversation by clicking it in the sidebar.
    item = window.sidebar.list.item(ids.index(first_id))
    rect = window.sidebar.list.visualItemRect(item)
    n_opened = len(opened.values)
    QTest.mouseClick(window.sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    conversation, messages, _older = await opened.wait(n_opened + 1)
    assert conversation.id == first_id
    assert messages[0].content == "first chat about apples"

    n = len(listed.values)
    window.sidebar.renameRequested.emit(first_id, "Apples")
    window.sidebar.pinRequested.emit(second_id, True)
    await listed.wait(n + 2)
    assert running_app.repository is not None
    renamed = await running_app.repository.get_conversation(first_id)
    assert renamed is not None and renamed.title == "Apples"
    assert window.windowTitle().startswith("Apples")
    assert window.sidebar.conversation_ids()[0] == second_id
    assert window.sidebar.list.item(0).text().startswith("📌")

    monkeypatch.setattr(
        QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes
    )
    n = len(listed.values)
    window.sidebar.delete(first_id)
    await listed.wait(n + 1)
    assert first_id not in window.sidebar.conversation_ids()
    assert await running_app.repository.get_conversation(first_id) is None
    assert controller.conversation is None  # the deleted chat was open: a new one is shown


async def test_restart_restores_the_conversation_and_search_finds_it(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    app_env.enqueue(Reply.stream("Kumquats are small citrus fruits."))
    first = await start_app(qapp, data_dir)
    assert first.controller is not None
    finished = SignalWaiter(first.controller.messageFinished)
    _type_and_send(first, "What is a kumquat?")
    await finished.wait()
    conversation_id = first.controller.conversation_id
    await first.runner.wait_idle()
    await first.shutdown()
    logs = "".join(p.read_text() for p in (data_dir / "logs").rglob("*.log"))
    assert "Kumquat" in logs or "kumquat" in logs or "request: model" in logs
    assert "sk-or-v1-testkey" not in logs

    async with started_app(qapp, data_dir) as second:
        assert second.controller is not None and second.window is not None
        assert second.controller.conversation_id == conversation_id  # restored before paint
        assert second.window.chat_view.message_widget(1) is not None
        listed = SignalWaiter(second.controller.conversationsChanged)
        second.controller.new_conversation()
        QTest.keyClicks(second.window.sidebar.search, "citrus")
        (found,) = await listed.wait()
        assert [c.id for c in found] == [conversation_id]
        second.window.sidebar.search.clear()
        QTest.keyClicks(second.window.sidebar.search, "nothing-like-this")
        (found,) = await listed.wait(2)
        assert found == []


def _openrouter_is(fake: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    """No key, and the fake on 127.0.0.1 plays openrouter.ai itself (nothing leaves this
    computer): the first run's welcome panel shows."""
    import chatdesk.app.context

    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.setenv("OPENROUTER_BASE_URL", fake.base_url)
    monkeypatch.setattr(chatdesk.app.context, "OPENROUTER_BASE_URL", fake.base_url)


async def test_first_run_panel_takes_a_pasted_key(
    launch: Launch,
    monkeypatch: pytest.MonkeyPatch,
    memory_keyring: MemoryKeyring,
    data_dir: Path,
    fake_openrouter: FakeOpenRouter,
) -> None:
    _openrouter_is(fake_openrouter, monkeypatch)
    async with launch() as app:
        window = app.window
        assert window is not None
        assert window.stack.currentWidget() is window.first_run
        QTest.keyClicks(window.first_run.key_edit, "sk-or-v1-pasted-key-123456")
        QTest.mouseClick(window.first_run.save_button, Qt.MouseButton.LeftButton)
        assert memory_keyring.store[("chatdesk", "openrouter")] == "sk-or-v1-pasted-key-123456"
        assert window.stack.currentWidget() is not window.first_run
        assert (
            not (data_dir / "settings.json").exists()
            or "pasted" not in (data_dir / "settings.json").read_text()
        )
    logs = "".join(p.read_text() for p in (data_dir / "logs").rglob("*.log"))
    assert "sk-or-v1-pasted-key-123456" not in logs


async def test_a_corrupt_settings_file_is_reported_and_the_app_works(
    launch: Launch, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    (data_dir / "settings.json").write_text("{ not json")
    async with launch() as app:
        assert app.window is not None and app.controller is not None
        assert app.window.banner.isVisible()
        assert "settings.json.bad-" in app.window.banner.label.text()
        finished = SignalWaiter(app.controller.messageFinished)
        _type_and_send(app, "still works?")
        (message,) = await finished.wait()
        assert message.status is MessageStatus.COMPLETE


async def test_model_picker_lists_the_catalogue_and_switches_the_model(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    controller = running_app.controller
    window = running_app.window
    assert controller is not None and window is not None
    if not controller.models:
        await SignalWaiter(controller.modelsChanged).wait()
    picker = window.model_picker
    ids = [picker.itemText(i) for i in range(picker.count())]
    assert "openai/gpt-4o-mini" in ids
    other = next(i for i in ids if i != "openai/gpt-4o-mini")
    picker.setFocus()
    picker.lineEdit().selectAll()
    QTest.keyClicks(picker.lineEdit(), other)
    QTest.keyClick(picker.lineEdit(), Qt.Key.Key_Return)
    assert controller.model == other
    finished = SignalWaiter(controller.messageFinished)
    _type_and_send(running_app, "which model?")
    (message,) = await finished.wait()
    assert _chat_requests(app_env)[-1]["model"] == other
    assert message.model is not None


async def test_the_window_state_is_restored(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    first = await start_app(qapp, data_dir)
    assert first.window is not None
    first.window.resize(700, 520)  # the offscreen screen is 800x600
    first.window.splitter.setSizes([300, 600])
    first.window.sidebar_action.setChecked(False)
    await first.runner.wait_idle()
    await first.shutdown()
    state = (data_dir / "window-state.ini").read_text()
    assert "geometry" in state

    async with started_app(qapp, data_dir) as second:
        assert second.window is not None
        assert (second.window.size().width(), second.window.size().height()) == (700, 520)
        assert not second.window.sidebar_action.isChecked()


async def test_a_new_chat_gets_a_title_in_the_sidebar_and_window(
    launch: Launch, app_env: FakeOpenRouter
) -> None:
    app_env.enqueue(Reply.stream("Use a sourdough starter."), Reply.completion("Sourdough Tips"))
    async with launch(settings={"generate_titles": True}) as app:
        assert app.controller is not None and app.window is not None
        titled = SignalWaiter(app.controller.titleChanged)
        _type_and_send(app, "How do I make bread rise?")
        _id, title = await titled.wait()
        assert title == "Sourdough Tips"
        assert app.window.windowTitle() == "Sourdough Tips — chatdesk"
        await app.runner.wait_idle()
        assert app.window.sidebar.list.item(0).text() == "Sourdough Tips"


async def test_an_empty_chat_says_how_to_start(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    window = running_app.window
    controller = running_app.controller
    assert window is not None and controller is not None
    empty = window.chat_view.findChild(QLabel, "emptyState")
    assert empty is not None and empty.isVisible()
    finished = SignalWaiter(controller.messageFinished)
    _type_and_send(running_app, "hi")
    await finished.wait()
    assert not empty.isVisible()
    QTest.keySequence(window, "Ctrl+N")
    assert empty.isVisible()


async def test_without_a_keyring_a_pasted_key_works_for_the_session(
    qapp: QApplication,
    monkeypatch: pytest.MonkeyPatch,
    fake_openrouter: FakeOpenRouter,
    data_dir: Path,
) -> None:
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    (data_dir / "settings.json").write_text('{"generate_titles": false}')
    app = await start_app(qapp, data_dir)
    try:
        window = app.window
        assert window is not None and app.controller is not None
        assert window.stack.currentWidget() is window.first_run
        QTest.keyClicks(window.first_run.key_edit, "sk-or-v1-session-only-999")
        QTest.keyClick(window.first_run.key_edit, Qt.Key.Key_Return)
        assert window.stack.currentWidget() is not window.first_run
        assert "session only" in window.banner.label.text()
        # The fake counts as "not OpenRouter" by URL, so point the app at it now.
        app.controller.provider.set_base_url(fake_openrouter.base_url)  # type: ignore[attr-defined]
        finished = SignalWaiter(app.controller.messageFinished)
        _type_and_send(app, "hello")
        await finished.wait()
        sent = fake_openrouter.requests_to()[-1]
        assert sent.headers["authorization"] == "Bearer sk-or-v1-session-only-999"
        await app.runner.wait_idle()
    finally:
        await app.shutdown()
        keyring.set_keyring(previous)
    assert "session-only-999" not in (data_dir / "settings.json").read_text()


async def test_a_short_first_page_loads_older_messages_until_the_view_can_scroll(
    launch: Launch, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    from chatdesk.storage.repository import ChatRepository
    from chatdesk.ui.chat.chat_controller import FIRST_PAGE

    repo = await ChatRepository.open(data_dir / "chatdesk.db")
    conv = await repo.create_conversation("Short lines")
    await repo.import_messages(conv.id, [("user", f"line {i}") for i in range(11)])
    await repo.close()
    (data_dir / "window-state.ini").write_text(f"[session]\nlast_conversation={conv.id}\n")
    async with launch() as app:
        assert app.window is not None and app.controller is not None
        view = app.window.chat_view
        bar = view.verticalScrollBar()
        await app.runner.wait_idle()
        # The first page (FIRST_PAGE lines) did not fill the view, so the older lines were
        # loaded without any scrolling, and now the view can scroll.
        assert FIRST_PAGE < 11
        assert len(view.message_widgets()) == 11
        assert bar.maximum() > bar.minimum()


async def test_an_answer_streaming_in_another_chat_stays_out_of_the_open_one(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    controller = running_app.controller
    window = running_app.window
    assert controller is not None and window is not None
    chat_a = await _answered_chat(running_app, app_env, "question A", "Answer A.")

    gate = Gate()
    app_env.enqueue(Reply.stream(["Answer ", "B ", "continues."], hold_after=(2, gate)))
    QTest.keySequence(window, "Ctrl+N")
    deltas = SignalWaiter(controller.streamDelta)
    busy = SignalWaiter(controller.busyChanged)
    _type_and_send(running_app, "question B")
    await deltas.wait()
    chat_b = controller.conversation_id
    opened = SignalWaiter(controller.conversationOpened)
    controller.open_conversation(chat_a)
    await opened.wait()
    n_deltas = len(deltas.values)
    gate.set()
    await busy.wait(2)  # the answer in B ended
    assert busy.values[-1] == (False,)
    assert len(deltas.values) == n_deltas  # nothing of B was streamed into A's view
    texts = [w.source for w in window.chat_view.message_widgets()]
    assert texts == ["question A", "Answer A."]

    controller.open_conversation(chat_b)  # B shows its whole stored answer
    await opened.wait(2)
    texts = [w.source for w in window.chat_view.message_widgets()]
    assert texts == ["question B", "Answer B continues."]


async def test_enter_then_escape_at_once_loses_no_text(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    controller = running_app.controller
    window = running_app.window
    assert controller is not None and window is not None
    busy = SignalWaiter(controller.busyChanged)
    edit = window.composer.edit
    QTest.keyClicks(edit, "do not lose me")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    QTest.keyClick(edit, Qt.Key.Key_Escape)  # before the turn's task ever ran
    await busy.wait(2)
    assert "do not lose me" in window.composer.text()
    assert running_app.repository is not None
    stored = await running_app.repository.search("lose")
    assert stored == []  # it was never stored, and it is back in the composer


async def test_deleting_the_chat_that_streams_stops_the_stream(
    running_app: ChatdeskApp, app_env: FakeOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    controller = running_app.controller
    window = running_app.window
    assert controller is not None and window is not None
    gate = Gate()
    app_env.enqueue(Reply.stream(["never ", "ends ", "here"], hold_after=(1, gate)))
    deltas = SignalWaiter(controller.streamDelta)
    busy = SignalWaiter(controller.busyChanged)
    listed = SignalWaiter(controller.conversationsChanged)
    _type_and_send(running_app, "stream forever")
    await deltas.wait()
    streaming_chat = controller.conversation_id
    assert streaming_chat is not None
    QTest.keySequence(window, "Ctrl+N")  # the streaming chat is no longer open
    n = len(listed.values)
    controller.delete_conversation(streaming_chat)
    await busy.wait(2)
    assert not controller.busy
    await listed.wait(n + 1)
    assert streaming_chat not in window.sidebar.conversation_ids()
    assert await app_env.wait_until_async(lambda f: f.disconnects >= 1)
    gate.set()


async def test_retry_shows_only_the_new_answer(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    controller = running_app.controller
    window = running_app.window
    assert controller is not None and window is not None
    app_env.enqueue(Reply.stream("Broken", error={"code": 500, "message": "oops"}))
    app_env.enqueue(Reply.stream("Fixed answer."))
    failed = SignalWaiter(controller.turnFailed)
    finished = SignalWaiter(controller.messageFinished)
    _type_and_send(running_app, "try me")
    await failed.wait()
    retry = window.chat_view.findChild(QPushButton, "retryButton")
    assert retry is not None
    retry.click()
    await finished.wait()
    await running_app.runner.wait_idle()
    texts = [w.source for w in window.chat_view.message_widgets()]
    assert texts == ["try me", "Fixed answer."]


async def test_coming_back_to_a_streaming_chat_shows_it_live_again(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    controller = running_app.controller
    window = running_app.window
    assert controller is not None and window is not None
    finished = SignalWaiter(controller.messageFinished)
    chat_a = await _answered_chat(running_app, app_env, "question A", "Answer A.")

    first_half = Gate()
    app_env.enqueue(
        Reply.stream(["One ", "two ", "three ", "four."], hold_after=(2, first_half), keepalives=0)
    )
    QTest.keySequence(window, "Ctrl+N")
    deltas = SignalWaiter(controller.streamDelta)
    _type_and_send(running_app, "count for me")
    await deltas.wait()
    chat_b = controller.conversation_id
    assert chat_b is not None
    opened = SignalWaiter(controller.conversationOpened)
    controller.open_conversation(chat_a)
    await opened.wait()
    controller.open_conversation(chat_b)  # back while it still streams
    await opened.wait(2)
    widget = window.chat_view.message_widgets()[-1]
    assert widget.is_streaming
    n = len(deltas.values)
    first_half.set()
    await finished.wait(2)
    assert len(deltas.values) > n  # the rest streamed into the view, live
    assert [w.source for w in window.chat_view.message_widgets()] == [
        "count for me",
        "One two three four.",
    ]


async def test_answer_again_adds_an_alternative_and_keeps_the_first(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    controller = running_app.controller
    window = running_app.window
    assert controller is not None and window is not None
    await _answered_chat(running_app, app_env, "first", "First answer.")
    await _answered_chat(running_app, app_env, "second", "Second answer.")
    widgets = window.chat_view.message_widgets()
    buttons = [w.findChild(QToolButton, "regenerateButton") for w in widgets]
    # Every answer offers it (not only the last one); questions do not.
    assert [b is not None and b.isVisible() for b in buttons] == [False, True, False, True]

    app_env.enqueue(Reply.stream("Second answer, again."))
    finished = SignalWaiter(controller.messageFinished)
    paths = SignalWaiter(controller.branches.pathChanged)
    button = buttons[-1]
    assert button is not None
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    await finished.wait()
    await paths.wait()
    await running_app.runner.wait_idle()
    widgets = window.chat_view.message_widgets()
    assert [w.source for w in widgets] == [
        "first",
        "First answer.",
        "second",
        "Second answer, again.",
    ]
    assert widgets[-1].navigator_position == (2, 2)  # the first answer is one click away
    QTest.mouseClick(widgets[-1].branch_bar.navigator.previous_button, Qt.MouseButton.LeftButton)
    await paths.wait(2)
    assert window.chat_view.message_widgets()[-1].source == "Second answer."
    body = _chat_requests(app_env)[-1]["messages"]
    assert body[-1] == {"role": "user", "content": "second"}
    assert {"role": "assistant", "content": "Second answer."} not in body  # type: ignore[operator]


async def test_a_restart_paints_the_newest_answers_from_the_render_cache(
    launch: Launch, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    answer = "Kumquats are:\n\n- small\n- **citrus**\n\n```python\nprint('kumquat')\n```\n"
    async with launch() as first:  # quitting saves the render cache
        conversation_id = await _answered_chat(first, app_env, "What is a kumquat?", answer)

    db = data_dir / "chatdesk.db"
    ((answer_id, key, html, codes),) = query(
        db, "SELECT message_id, render_key, html, code_blocks FROM render_cache"
    )
    expected = render_blocks(answer, dark=first.dark)
    assert (key, html, json.loads(str(codes))) == (
        render_key(first.dark),
        expected.html,
        ["print('kumquat')\n"],
    )
    # Mark the stored HTML: the next start must show it as it is, not a fresh render.
    query(db, "UPDATE render_cache SET html = replace(html, 'small', 'small (cached)')")

    async with launch() as second:
        assert second.controller is not None and second.window is not None
        assert second.controller.conversation_id == conversation_id
        widget = second.window.chat_view.message_widget(int(str(answer_id)))
        assert widget is not None
        assert "small (cached)" in widget.body.toPlainText()
        assert widget.code_blocks == ("print('kumquat')\n",)  # its Copy link still works
    # Quitting again keeps the cached render (nothing changed), not a new one.
    assert query(db, "SELECT html FROM render_cache") == [
        (html.replace("small", "small (cached)"),)
    ]


async def test_a_render_cache_for_the_other_palette_is_not_used(
    launch: Launch, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    async with launch() as first:
        await _answered_chat(first, app_env, "Hi", "Plain *answer*")
    db = data_dir / "chatdesk.db"
    other = render_key(not first.dark)
    query(db, "UPDATE render_cache SET render_key = ?, html = '<p>stale</p>'", (other,))

    async with launch() as second:
        assert second.window is not None
        (_, answer_widget) = second.window.chat_view.message_widgets()
        assert answer_widget.body.toPlainText() == "Plain answer"
    assert query(db, "SELECT render_key FROM render_cache") == [(render_key(first.dark),)]


async def test_a_theme_switch_keeps_the_toolbar_and_composer_as_they_started(
    running_app: ChatdeskApp,
) -> None:
    window = running_app.window
    assert window is not None
    bar = window.findChild(QToolBar, "mainToolbar")
    assert isinstance(bar, QToolBar)

    def shape() -> tuple[int, int, int, int]:
        layout = bar.layout()
        return (
            bar.sizeHint().height(),
            layout.contentsMargins().left(),
            layout.spacing(),
            window.composer.edit.height(),
        )

    started = shape()
    assert running_app.settings_flow is not None
    running_app.settings_flow.set_theme("dark")
    assert shape() == started
    running_app.settings_flow.set_theme("light")
    assert shape() == started


async def test_a_rate_limit_wait_is_explained_until_the_answer_comes(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    controller, window = running_app.controller, running_app.window
    assert controller is not None and window is not None
    app_env.enqueue(Reply.error(429, retry_after=1), Reply.stream("Worth the wait."))
    retry = SignalWaiter(controller.retryScheduled)
    finished = SignalWaiter(controller.messageFinished)
    _type_and_send(running_app, "Busy?")
    message_id, delay, reason = await retry.wait()
    assert delay == 1.0 and reason == "127.0.0.1 is limiting requests"
    widget = window.chat_view.message_widget(message_id)
    assert widget is not None and widget.thinking_visible
    assert widget.thinking_text.startswith("127.0.0.1 is limiting requests. Trying again in 1 s")
    await finished.wait()
    assert not widget.thinking_visible
    assert widget.body.toPlainText() == "Worth the wait."


async def test_a_restart_adds_the_files_to_the_messages_it_painted(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n")
    async with started_app(qapp, data_dir) as first:
        assert first.window is not None and first.controller is not None
        chips = first.window.composer.chips
        assert chips is not None and chips.add_files([notes]) == 1
        await _answered_chat(first, app_env, "Read this", "Read it.")
        user_id = first.window.chat_view.message_widgets()[0].message_id

    second = ChatdeskApp(qapp, data_dir)
    second.show_window()  # the first paint: no attachment store yet
    assert second.window is not None
    painted = second.window.chat_view.message_widget(user_id)
    assert painted is not None and painted.findChild(AttachmentStrip) is None
    try:
        await second.start()
        await second.runner.wait_idle()
        assert second.window.chat_view.message_widget(user_id) is painted  # not built again
        strip = painted.findChild(AttachmentStrip)
        assert strip is not None and strip.isVisibleTo(painted)
        assert [b.accessibleName() for b in strip.buttons()] == ["Open notes.md"]
    finally:
        await second.runner.wait_idle()
        await second.shutdown()


async def test_first_run_offers_a_local_server_and_chats_through_it(
    launch: Launch,
    monkeypatch: pytest.MonkeyPatch,
    fake_openrouter: FakeOpenRouter,
    data_dir: Path,
) -> None:
    """No key: a server answering /v1/models on this computer is offered beside the key
    field; one click and the chat goes there (the fake server plays Ollama)."""
    from chatdesk.providers import local_servers

    _openrouter_is(fake_openrouter, monkeypatch)
    port = int(fake_openrouter.base_url.split(":")[2].split("/")[0])
    monkeypatch.setattr(local_servers, "KNOWN_SERVERS", (("Ollama", port),))
    monkeypatch.setattr(local_servers, "PREFIX", "/api/v1")
    async with launch() as app:
        window, controller = app.window, app.controller
        assert window is not None and controller is not None
        assert window.stack.currentWidget() is window.first_run
        await app.runner.wait_idle()
        import httpx

        async with httpx.AsyncClient() as http:
            served = (await http.get(f"{fake_openrouter.base_url}/models")).json()["data"]
        buttons = window.first_run.found_buttons
        assert [b.text() for b in buttons] == [
            f"Use Ollama on this computer ({len(served)} models)"
        ]
        window.notify("warning", "Could not load the model list: …")  # as from elsewhere
        buttons[0].click()
        assert window.stack.currentWidget() is not window.first_run
        assert not window.banner.isVisible()
        assert app.ctx is not None
        assert app.ctx.settings.openrouter_base_url == fake_openrouter.base_url
        finished = SignalWaiter(controller.messageFinished)
        _type_and_send(app, "hello local model")
        (message,) = await finished.wait()
        assert message.status is MessageStatus.COMPLETE
        assert fake_openrouter.requests_to()[-1].json["model"] == controller.model
