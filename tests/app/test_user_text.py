"""The user's text is sacred: typed at full speed through a chat's title arriving, every
message goes out exactly as typed and nothing comes back into the composer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton

from chatdesk.app.root import ChatdeskApp
from fakes.openrouter import FakeOpenRouter, Gate, RecordedRequest, Reply
from qtapp import SignalWaiter, started_app

pytestmark = pytest.mark.gui

ROUNDS = 10


def _type_and_send(app: ChatdeskApp, text: str) -> None:
    """Keys into the composer as a person types them, then Enter."""
    assert app.window is not None
    edit = app.window.composer.edit
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def _sent_texts(fake: FakeOpenRouter) -> list[str]:
    """The last user message of every streamed chat request (titles are not streamed)."""
    texts = []
    for request in fake.requests_to():
        body = request.json
        if body and body.get("stream"):
            user = [m for m in body["messages"] if m["role"] == "user"]
            texts.append(str(user[-1]["content"]))
    return texts


async def test_typing_through_the_title_sends_every_message_as_typed(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    (data_dir / "settings.json").write_text('{"generate_titles": true}')
    gates: list[Gate] = []

    def reply(request: RecordedRequest) -> Reply:
        body = request.json or {}
        if not body.get("stream"):  # the title request: held until the test lets it through
            gates.append(Gate())
            return Reply.completion(f"Title {len(gates)}", hold_headers=gates[-1])
        user = [m for m in body["messages"] if m["role"] == "user"]
        return Reply.stream(f"An answer to {user[-1]['content']}.")

    app_env.set_default(reply)
    async with started_app(qapp, data_dir) as app:
        assert app.controller is not None and app.window is not None
        restored = SignalWaiter(app.controller.draftRestored)
        idle = SignalWaiter(app.controller.busyChanged)

        async def answered() -> None:
            """Until Send is back (what a person waits for), then not a moment longer."""
            while app.controller is not None and app.controller.busy:
                await idle.wait(len(idle.values) + 1)

        titled = SignalWaiter(app.controller.titleChanged)
        typed: list[str] = []
        for n in range(ROUNDS):
            QTest.keySequence(app.window, "Ctrl+N")
            app.window.composer.edit.setFocus()
            first, second, third = (f"{word} question {n}" for word in ("first", "second", "third"))

            _type_and_send(app, first)
            await answered()
            assert await app_env.wait_until_async(lambda f, n=n: len(gates) == n + 1)
            # The next question the moment the answer is there, while the title arrives:
            # half the rounds let the title through just before Enter, half just after.
            if n % 2 == 0:
                gates[n].set()
                _type_and_send(app, second)
            else:
                _type_and_send(app, second)
                gates[n].set()
            await answered()
            _type_and_send(app, third)
            await answered()
            await titled.wait(n + 1)
            typed += [first, second, third]
            assert app.window.composer.text() == "", (n, _sent_texts(app_env), restored.values)

        assert _sent_texts(app_env) == typed
        assert restored.values == []


CALCULATOR = {"calc": {"command": "chatdesk", "args": ["mcp-server", "calculator"]}}


async def _calculator_ready(app: ChatdeskApp) -> None:
    """Until the built-in calculator server offers its tools."""
    import asyncio

    from chatdesk.mcp.status import ServerState, ServerStatus

    assert app.mcp is not None
    ready = asyncio.Event()

    def on_status(status: ServerStatus) -> None:
        if status.server_id == "calc" and status.state is ServerState.READY:
            ready.set()

    app.mcp.add_status_listener(on_status)
    if app.mcp.aggregator.tool_info("calc__calculate") is None:
        async with asyncio.timeout(30):
            await ready.wait()


async def test_after_a_card_is_answered_with_enter_the_next_keys_reach_the_composer(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    from chatdesk.core.models import ToolCall

    (data_dir / "mcp_servers.json").write_text(json.dumps({"mcpServers": CALCULATOR}))
    call = ToolCall("call_1", "calc__calculate", '{"expression": "6*7"}')
    app_env.enqueue(Reply.stream("", tool_calls=[call]), Reply.stream("6 × 7 = 42."))
    async with started_app(qapp, data_dir) as app:
        assert app.controller is not None and app.window is not None and app.mcp is not None
        await _calculator_ready(app)
        approver = app.mcp.tool_host.approver
        assert approver is not None
        requested = SignalWaiter(approver.requested)  # type: ignore[attr-defined]
        focus = SignalWaiter(qapp.focusChanged)
        idle = SignalWaiter(app.controller.busyChanged)
        edit = app.window.composer.edit
        edit.setFocus()

        _type_and_send(app, "What is 6*7?")
        await requested.wait()
        while QApplication.focusWidget() is edit:  # the card takes focus once it is shown
            await focus.wait(len(focus.values) + 1)
        card = QApplication.focusWidget()
        assert card is not None and card.objectName() == "approvalCard"

        # Enter on the card, and the user goes straight on typing (a space included).
        QTest.keyClick(card, Qt.Key.Key_Return)
        QTest.keyClicks(QApplication.focusWidget(), "and then ")
        assert QApplication.focusWidget() is edit
        assert app.window.composer.text() == "and then "

        await idle.wait(2)  # busy, then idle: the answer after the tool is in
        QTest.keyClicks(QApplication.focusWidget(), "more")
        assert app.window.composer.text() == "and then more"
        assert app.controller.conversation_id is not None and app.repository is not None
        messages = await app.repository.list_messages(app.controller.conversation_id)
        assert messages[-1].content == "6 × 7 = 42."  # and no other chat was started
        assert len(await app.repository.list_conversations()) == 1


async def test_keys_typed_in_the_chat_list_go_on_in_the_composer(
    running_app: ChatdeskApp,
) -> None:
    window = running_app.window
    assert window is not None
    window.sidebar.list.setFocus()
    QTest.keyClicks(window.sidebar.list, "Hello there")
    QTest.keyClick(window.sidebar.list, Qt.Key.Key_Down)  # keys that move in the list still do
    assert window.composer.text() == "Hello there"
    assert QApplication.focusWidget() is window.composer.edit


async def test_a_preset_whose_model_is_missing_does_not_take_the_keyboard(
    running_app: ChatdeskApp,
) -> None:
    window, controller = running_app.window, running_app.controller
    assert window is not None and controller is not None
    missing = SignalWaiter(controller.modelMissing)
    window.composer.edit.setFocus()
    QTest.keySequence(window, "Ctrl+2")  # "Precise coder": its model is not in the fake's list
    await missing.wait()
    QTest.keyClicks(QApplication.focusWidget(), "my question")
    assert window.composer.text() == "my question"
    assert not window.model_picker.view().isVisible()

    choose = window.banner.findChild(QPushButton, "bannerAction")
    assert choose is not None and choose.isVisible() and choose.text() == "Choose a model…"
    QTest.mouseClick(choose, Qt.MouseButton.LeftButton)
    assert window.model_picker.view().isVisible()  # only when asked
    window.model_picker.hidePopup()


async def test_after_a_dialog_closes_the_keys_go_to_the_composer(
    running_app: ChatdeskApp,
) -> None:
    from PySide6.QtWidgets import QDialog, QLineEdit

    window = running_app.window
    assert window is not None
    window.model_picker.setFocus()  # where focus was when the dialog opened
    dialog = QDialog(window)
    QLineEdit(dialog).setFocus()
    window.open_dialog(dialog)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    QTest.keyClicks(QApplication.focusWidget(), "next words")
    assert window.composer.text() == "next words"


async def test_a_send_stopped_before_it_is_stored_comes_back_whole(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    window, controller = running_app.window, running_app.controller
    assert window is not None and controller is not None
    restored = SignalWaiter(controller.draftRestored)
    edit = window.composer.edit
    edit.setFocus()
    QTest.keyClicks(edit, "never sent")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    QTest.keyClick(edit, Qt.Key.Key_Escape)  # stopped before the task first ran
    assert await restored.wait() == ("never sent",)
    assert window.composer.text() == "never sent"
    await running_app.runner.wait_idle()
    assert _sent_texts(app_env) == []


async def test_unsent_text_survives_a_quit_and_start(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None
        app.window.composer.edit.setFocus()
        edit = app.window.composer.edit
        QTest.keyClicks(edit, "half a thought,")
        QTest.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
        QTest.keyClicks(edit, "not sent")
    async with started_app(qapp, data_dir) as again:
        assert again.window is not None
        assert again.window.composer.text() == "half a thought,\nnot sent"
        again.window.composer.clear_after_send()  # sent (or cleared): nothing comes back
    async with started_app(qapp, data_dir) as third:
        assert third.window is not None and third.window.composer.text() == ""
