"""The chat view: message widgets, streaming, errors, scrolling and windowing (offscreen)."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from chat_support import msg
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QGuiApplication,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from chatdesk.core.models import Message, MessageStatus, ToolCall
from chatdesk.ui.chat.chat_view import ChatView
from chatdesk.ui.chat.error_card import ErrorCard
from chatdesk.ui.chat.message_widget import MessageWidget
from chatdesk.ui.rendering.document_html import set_document_html
from chatdesk.ui.rendering.markdown import render_markdown

pytestmark = pytest.mark.gui

ANSWER = """# Plan

Some **bold** text, `code` and a [link](https://example.com).

1. First
2. Second
   - nested *item*
   - another

```python
def greet(name: str) -> str:
    return f"hello {name}"
```

| Col | Val |
|-----|----:|
| a   |   1 |

> A quote.

```bash
echo done
```

That's all.
"""


def _conversation(count: int) -> list[Message]:
    out = []
    for i in range(1, count + 1):
        if i % 2:
            out.append(msg(i, "user", f"Question {i}: how does step {i} work?"))
        else:
            body = f"Answer {i}.\n\n" + "\n".join(f"- point {k} of {i}" for k in range(6))
            out.append(msg(i, "assistant", body, model="openai/gpt-4o"))
    return out


def _dump(doc: QTextDocument) -> list[tuple[str, int, float, float, bool, str]]:
    out = []
    block = doc.begin()
    while block.isValid():
        f = block.blockFormat()
        shaded = f.hasProperty(QTextFormat.Property.BackgroundBrush)
        out.append(
            (
                block.text(),
                f.headingLevel(),
                f.topMargin(),
                f.bottomMargin(),
                bool(block.textList()),
                f.background().color().name() if shaded else "",
            )
        )
        block = block.next()
    return out


def _stream(view: ChatView, qtbot: QtBot, mid: int, text: str, deltas: int, seed: int = 0) -> None:
    """Feed ``text`` in about ``deltas`` random pieces, letting the loop run in between."""
    rnd = random.Random(seed)
    cuts = sorted(rnd.sample(range(1, len(text)), min(deltas - 1, len(text) - 1)))
    start = 0
    for i, cut in enumerate([*cuts, len(text)]):
        view.append_stream(mid, text[start:cut])
        start = cut
        if i % 50 == 0:
            qtbot.wait(0)  # one pass of the event loop, like the app between flushes


def _finish(view: ChatView, qtbot: QtBot, message: Message) -> MessageWidget:
    view.finish_message(message)
    widget = view.message_widget(message.id)
    assert widget is not None
    qtbot.waitUntil(lambda: not widget.is_rendering)
    return widget


# --- messages -----------------------------------------------------------------------------------


def test_shows_user_and_assistant_messages_differently(view: ChatView) -> None:
    view.show_conversation(
        [
            msg(1, "user", "Hello *there*"),
            msg(
                2,
                "assistant",
                ANSWER,
                model="openai/gpt-4o",
                prompt_tokens=1000,
                completion_tokens=234,
                cost=0.0012,
            ),
            msg(3, "system", "hidden"),
        ],
        has_older=False,
    )
    user, bot = view.message_widget(1), view.message_widget(2)
    assert user is not None and bot is not None and view.message_widget(3) is None
    assert view.objectName() == "chatView"
    assert user.property("role") == "user" and bot.property("role") == "assistant"
    assert user.body.toPlainText() == "Hello *there*"  # the user's text, as typed
    assert "Plan" in bot.body.toPlainText() and "**" not in bot.body.toPlainText()
    assert bot.meta_label.text() == "openai/gpt-4o · 1,234 tokens · $0.0012"
    assert bot.meta_label.isVisible() and not user.meta_label.isVisible()
    assert bot.copy_button.accessibleName() == "Copy message"
    assert bot.reasoning_toggle is None  # no reasoning, no section


def test_body_height_fits_its_content(view: ChatView, qtbot: QtBot) -> None:
    view.show_conversation([msg(1, "assistant", "one line")], has_older=False)
    widget = view.message_widget(1)
    assert widget is not None
    short = widget.body.height()
    widget.set_message(msg(1, "assistant", ANSWER))
    qtbot.waitUntil(lambda: widget.body.height() > 5 * short)
    doc_height = widget.body.document().size().height()
    assert abs(widget.body.height() - doc_height) <= 1


def test_reasoning_is_collapsed_by_default(view: ChatView, qtbot: QtBot) -> None:
    view.show_conversation(
        [msg(1, "assistant", "Answer", reasoning="Because of this and that.")], has_older=False
    )
    widget = view.message_widget(1)
    assert widget is not None and widget.reasoning_toggle is not None
    assert widget.reasoning_toggle.isVisible() and not widget.reasoning_expanded
    qtbot.mouseClick(widget.reasoning_toggle, Qt.MouseButton.LeftButton)
    assert widget.reasoning_expanded
    assert widget.reasoning_text == "Because of this and that."


def test_tool_messages_are_compact_cards(view: ChatView) -> None:
    call = ToolCall("c1", "time__now", '{"tz": "UTC"}')
    view.show_conversation(
        [
            msg(1, "user", "time?"),
            msg(2, "assistant", "", tool_calls=(call,)),
            msg(3, "tool", '{"time": "12:00"}', tool_call_id="c1"),
            msg(4, "assistant", "It is noon."),
        ],
        has_older=False,
    )
    widget = view.message_widget(2)
    assert widget is not None and widget.is_compact
    assert not widget.body.isVisible()
    assert view.message_widget(3) is None  # the result shows on its call's card
    names = widget.findChildren(QLabel, "toolName")
    states = widget.findChildren(QLabel, "toolStatus")
    assert [n.text() for n in names] == ["now"]
    assert [s.text() for s in states] == ["done"]


# --- copying ------------------------------------------------------------------------------------


def test_copy_code_link_copies_that_block(view: ChatView, qtbot: QtBot) -> None:
    view.show_conversation([msg(1, "assistant", ANSWER)], has_older=False)
    widget = view.message_widget(1)
    assert widget is not None
    assert widget.code_blocks == (
        'def greet(name: str) -> str:\n    return f"hello {name}"\n',
        "echo done\n",
    )
    clipboard = QGuiApplication.clipboard()
    clipboard.setText("")
    # Click the second "Copy" link where it is drawn.
    doc = widget.body.document()
    first = doc.find("Copy")
    second = doc.find("Copy", first.position())
    assert not second.isNull()
    second.setPosition(second.selectionStart() + 1)
    point = widget.body.cursorRect(second).center()
    qtbot.mouseClick(widget.body.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: clipboard.text() == "echo done\n")
    widget.body.anchorClicked.emit(QUrl("copy-code:0"))
    assert clipboard.text() == widget.code_blocks[0]


def test_copy_button_copies_the_markdown_source(view: ChatView, qtbot: QtBot) -> None:
    view.show_conversation([msg(1, "user", "hi"), msg(2, "assistant", ANSWER)], has_older=False)
    widget = view.message_widget(2)
    assert widget is not None
    qtbot.mouseClick(widget.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == ANSWER


def test_links_open_in_the_browser_only_when_safe(
    view: ChatView, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    view.show_conversation([msg(1, "assistant", ANSWER)], has_older=False)
    widget = view.message_widget(1)
    assert widget is not None
    widget.body.anchorClicked.emit(QUrl("https://example.com"))
    widget.body.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert opened == ["https://example.com"]


# --- streaming ----------------------------------------------------------------------------------


def test_thinking_indicator_until_the_first_text(view: ChatView) -> None:
    view.add_message(msg(1, "user", "hi"))
    view.start_assistant(2, "openai/gpt-4o")
    widget = view.message_widget(2)
    assert widget is not None and widget.thinking_visible and widget.is_streaming
    view.append_stream(2, reasoning="Let me see.")
    assert widget.reasoning_toggle is not None and not widget.reasoning_expanded
    view.append_stream(2, text="Hello")
    assert not widget.thinking_visible
    assert widget.body.toPlainText() == "Hello"


def test_streamed_document_equals_rendering_the_whole_text(view: ChatView, qtbot: QtBot) -> None:
    text = (ANSWER + "\n") * 6
    view.start_assistant(5, "m")
    _stream(view, qtbot, 5, text, 2000)
    widget = _finish(view, qtbot, msg(5, "assistant", text, model="m", completion_tokens=9))
    whole = QTextDocument()
    set_document_html(whole, render_markdown(text, dark=False))
    doc = widget.body.document()
    assert doc.toPlainText() == whole.toPlainText()
    assert _dump(doc) == _dump(whole)
    assert widget.source == text
    assert len(widget.code_blocks) == 12 and widget.code_blocks[-1] == "echo done\n"
    assert widget.meta_label.text() == "m · 9 tokens"


@pytest.mark.parametrize("deltas", [40, 400])
def test_a_code_block_right_after_a_table_leaves_no_shaded_line(
    view: ChatView, qtbot: QtBot, deltas: int
) -> None:
    """The raw region shades code lines; none of that may stay once the block is rendered."""
    text = "| Fruit | Size |\n| --- | --- |\n| kumquat | 3 cm |\n\n```python\nx = 1\n```\n"
    view.start_assistant(5, "m")
    _stream(view, qtbot, 5, text, deltas)
    widget = _finish(view, qtbot, msg(5, "assistant", text, model="m"))
    whole = QTextDocument()
    set_document_html(whole, render_markdown(text, dark=False))
    assert _dump(widget.body.document()) == _dump(whole)


def test_finished_blocks_are_never_touched_again(view: ChatView, qtbot: QtBot) -> None:
    text = "".join(f"## Part {i}\n\nParagraph {i} with *some* text.\n\n" for i in range(40))
    view.start_assistant(1, "m")
    widget = view.message_widget(1)
    assert widget is not None and widget.stream_renderer is not None
    renderer = widget.stream_renderer
    doc = widget.body.document()
    view.append_stream(1, text[:200])
    qtbot.waitUntil(lambda: renderer.pending == 0 and renderer.rendered_length > 0)
    first = doc.begin()
    first_revision, first_lines = first.revision(), first.layout().lineCount()
    changes: list[tuple[int, int]] = []  # (change position, rendered end before the step)
    floor = [renderer.region_position]
    doc.contentsChange.connect(lambda pos, _removed, _added: changes.append((pos, floor[0])))
    blocks_before = doc.blockCount()
    for start in range(200, len(text), 7):
        floor[0] = renderer.region_position
        view.append_stream(1, text[start : start + 7])
        qtbot.wait(0)
    assert len(changes) > 100
    assert all(pos >= rendered_end for pos, rendered_end in changes)
    assert doc.begin() == first and first.revision() == first_revision
    assert first.layout().lineCount() == first_lines
    assert doc.blockCount() > 3 * blocks_before


def test_a_burst_is_caught_up_over_several_passes(view: ChatView, qtbot: QtBot) -> None:
    view.start_assistant(1, "m")
    widget = view.message_widget(1)
    assert widget is not None and widget.stream_renderer is not None
    renderer = widget.stream_renderer
    view.append_stream(1, ANSWER * 30)  # ~20k characters at once
    assert renderer.backlog > 0  # not all shown in one go: the window stays responsive
    qtbot.waitUntil(lambda: renderer.backlog == 0 and renderer.pending == 0)
    assert renderer.text == ANSWER * 30


def test_cancelled_message_keeps_partial_text_and_says_stopped(
    view: ChatView, qtbot: QtBot
) -> None:
    view.start_assistant(3, "m")
    view.append_stream(3, "Partial answer")
    widget = _finish(
        view, qtbot, msg(3, "assistant", "Partial answer", status=MessageStatus.CANCELLED)
    )
    assert widget.body.toPlainText() == "Partial answer"
    assert widget.status_label.isVisible() and widget.status_label.text() == "Stopped"
    with qtbot.waitSignal(view.retryRequested) as blocker:
        qtbot.mouseClick(widget.retry_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [3]


# --- errors -------------------------------------------------------------------------------------


def test_error_card_keeps_partial_text_and_retry_emits_the_id(view: ChatView, qtbot: QtBot) -> None:
    view.start_assistant(7, "m")
    view.append_stream(7, "Half of the ")
    partial = msg(7, "assistant", "Half of the answer", status=MessageStatus.ERROR, model="m")
    view.show_error(7, "The model is down (502).", kind="provider", partial=partial)
    widget = view.message_widget(7)
    assert widget is not None and widget.error_card is not None
    qtbot.waitUntil(lambda: not widget.is_rendering)
    assert widget.body.isVisible() and widget.body.toPlainText() == "Half of the answer"
    assert widget.error_card.isVisible()
    assert widget.error_card.label.text() == "The model is down (502)."
    assert widget.error_card.settings_button is None
    assert widget.findChildren(QPushButton, "openSettingsButton") == []
    assert len(widget.findChildren(ErrorCard)) == 1
    with qtbot.waitSignal(view.retryRequested) as blocker:
        qtbot.mouseClick(widget.error_card.retry_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [7]


def test_auth_error_offers_open_settings(view: ChatView, qtbot: QtBot) -> None:
    view.start_assistant(2, "m")
    view.show_error(2, "The API key was rejected.", kind="auth")
    widget = view.message_widget(2)
    assert widget is not None and widget.error_card is not None
    button = widget.error_card.settings_button
    assert button is not None and button.isVisible() and button.text() == "Open settings"
    with qtbot.waitSignal(view.openSettingsRequested):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_error_without_a_message_retries_with_minus_one(view: ChatView, qtbot: QtBot) -> None:
    view.add_message(msg(1, "user", "hi"))
    view.show_error(None, "No connection.", kind="network")
    cards = view.findChildren(ErrorCard)
    assert len(cards) == 1 and cards[0].isVisible()
    with qtbot.waitSignal(view.retryRequested) as blocker:
        qtbot.mouseClick(cards[0].retry_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [-1]
    view.start_assistant(2, "m")  # a new turn drops the loose card
    qtbot.waitUntil(lambda: not view.findChildren(ErrorCard))


# --- scrolling ----------------------------------------------------------------------------------


def test_follows_the_stream_until_the_user_scrolls_up(view: ChatView, qtbot: QtBot) -> None:
    bar = view.verticalScrollBar()
    view.show_conversation(_conversation(6), has_older=False)
    view.start_assistant(100, "m")
    for i in range(60):
        view.append_stream(100, f"Line {i} of a long answer.\n\n")
        qtbot.wait(0)
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    assert view.is_following()

    bar.setValue(bar.maximum() - 300)  # the user scrolls up
    assert not view.is_following()
    held = bar.value()
    old_max = bar.maximum()
    for i in range(30):
        view.append_stream(100, f"More {i}.\n\n")
    qtbot.waitUntil(lambda: bar.maximum() > old_max + 200)
    assert bar.value() == held and not view.is_following()

    bar.setValue(bar.maximum())  # back to the bottom: follow again
    assert view.is_following()
    old_max = bar.maximum()
    view.append_stream(100, "And more.\n\n" * 10)
    qtbot.waitUntil(lambda: bar.maximum() > old_max and bar.value() == bar.maximum())


def test_prepend_keeps_the_visible_message_in_place(view: ChatView, qtbot: QtBot) -> None:
    bar = view.verticalScrollBar()
    messages = _conversation(200)
    older, recent = messages[:150], messages[150:]
    view.show_conversation(recent, has_older=True)
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    bar.setValue(bar.maximum() // 3)
    # What the user looks at: the first message still showing at the top of the viewport.
    # (Messages further down may still grow while the first layout settles; that is not
    # the prepend's doing.)
    target = next(
        w for w in view.message_widgets() if w.mapTo(view.viewport(), QPoint(0, w.height())).y() > 0
    )
    before = target.mapTo(view.viewport(), QPoint(0, 0)).y()
    view.prepend_messages(older[-40:], has_older=True)
    qtbot.waitUntil(lambda: view.message_widget(150) is not None)
    qtbot.waitUntil(lambda: target.mapTo(view.viewport(), QPoint(0, 0)).y() == before)
    assert not view.is_following()
    assert view.message_widgets()[0].message_id < 150


def test_scrolling_to_the_top_asks_for_older_messages(view: ChatView, qtbot: QtBot) -> None:
    bar = view.verticalScrollBar()
    view.show_conversation(_conversation(30), has_older=True)
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    with qtbot.waitSignal(view.loadOlderRequested):
        bar.setValue(0)
    older = view.findChild(QLabel, "olderIndicator")
    assert older is not None and older.isVisible()


def test_huge_conversations_only_build_a_window(view: ChatView, qtbot: QtBot) -> None:
    bar = view.verticalScrollBar()
    messages = _conversation(5000)
    view.show_conversation(messages, has_older=False)
    assert len(view.findChildren(MessageWidget)) == ChatView.WINDOW
    assert view.held_count == 5000 - ChatView.WINDOW
    assert view.message_widget(5000) is not None and view.message_widget(4950) is None
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    bar.setValue(0)  # the top reveals the next chunk of held messages, not all of them
    qtbot.waitUntil(lambda: view.message_widget(4950) is not None)
    assert len(view.findChildren(MessageWidget)) == ChatView.WINDOW + ChatView.CHUNK
    view.show_conversation(messages[:10], has_older=False)
    qtbot.waitUntil(lambda: len(view.findChildren(MessageWidget)) == 10)


# --- theme, zoom, clear ---------------------------------------------------------------------------


@pytest.fixture
def app_style_sheet(qapp: QApplication) -> Iterator[None]:
    """An application style sheet, as the app has (it changes how Qt passes fonts down)."""
    previous = qapp.styleSheet()
    qapp.setStyleSheet("QToolBar#mainToolbar { spacing: 6px; }")
    yield
    qapp.setStyleSheet(previous)


@pytest.mark.usefixtures("app_style_sheet")
def test_dark_and_zoom_rerender(view: ChatView, qtbot: QtBot) -> None:
    view.show_conversation([msg(1, "user", "hi"), msg(2, "assistant", ANSWER)], has_older=False)
    widget = view.message_widget(2)
    assert widget is not None
    assert "#161b22" not in widget.body.document().toHtml()
    view.set_dark(True)
    assert "#161b22" in widget.body.document().toHtml()
    size = widget.body.font().pointSizeF()
    view.set_zoom(150)
    qtbot.waitUntil(lambda: widget.body.font().pointSizeF() > size * 1.4)
    assert widget.meta_label.font().pointSizeF() > size  # small text scales too
    view.add_message(msg(3, "user", "later"))  # messages added later are zoomed too
    later = view.message_widget(3)
    assert later is not None and later.body.font().pointSizeF() > size * 1.4
    view.set_zoom(100)
    qtbot.waitUntil(lambda: abs(widget.body.font().pointSizeF() - size) < 0.01)


def test_clear(view: ChatView, qtbot: QtBot) -> None:
    view.show_conversation(_conversation(4), has_older=True)
    view.clear()
    assert view.message_widget(1) is None and view.message_widgets() == []
    qtbot.waitUntil(lambda: not view.findChildren(MessageWidget))


def test_streaming_survives_a_theme_switch(view: ChatView, qtbot: QtBot) -> None:
    view.start_assistant(1, "m")
    view.append_stream(1, ANSWER[:300])
    view.set_dark(True)
    view.append_stream(1, ANSWER[300:])
    widget = _finish(view, qtbot, msg(1, "assistant", ANSWER))
    whole = QTextDocument()
    set_document_html(whole, render_markdown(ANSWER, dark=True))
    assert widget.body.toPlainText() == whole.toPlainText()
    cursor = QTextCursor(widget.body.document())
    assert not cursor.isNull()


def _structure(docs: list[QTextDocument]) -> list[tuple[str, int, bool]]:
    return [(text, level, in_list) for doc in docs for text, level, _, _, in_list, _ in _dump(doc)]


def test_long_answers_continue_in_more_bodies(view: ChatView, qtbot: QtBot) -> None:
    text = (ANSWER + "\n") * 30  # ~12k characters: Qt repaints a document from its start,
    view.start_assistant(9, "m")  # so a long answer is split over several documents
    _stream(view, qtbot, 9, text[: len(text) // 2], 800)
    view.set_dark(True)  # a theme switch in the middle re-renders every part once
    _stream(view, qtbot, 9, text[len(text) // 2 :], 800, seed=1)
    widget = view.message_widget(9)
    assert widget is not None
    widget = _finish(view, qtbot, msg(9, "assistant", text))
    bodies = widget.bodies()
    assert len(bodies) >= 2
    assert all(b.document().characterCount() < 9000 for b in bodies)
    whole = QTextDocument()
    set_document_html(whole, render_markdown(text, dark=True))
    assert widget.plain_text() == whole.toPlainText()
    assert _structure([b.document() for b in bodies]) == _structure([whole])
    assert len(widget.code_blocks) == 60

    # A Copy link in a later body copies the right block of the whole message.
    last = bodies[-1]
    found = last.document().find("Copy")
    found.setPosition(found.selectionStart() + 1)
    href = found.charFormat().anchorHref()
    index = int(href.split(":")[1])
    assert index >= 2
    QGuiApplication.clipboard().setText("")
    view.ensureWidgetVisible(last, 0, 0)
    point = last.cursorRect(found).center()
    qtbot.mouseClick(last.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == widget.code_blocks[index])

    view.set_dark(False)  # a finished message is rendered anew as one document
    assert widget.bodies() == [widget.body]
    assert widget.plain_text() == whole.toPlainText()
