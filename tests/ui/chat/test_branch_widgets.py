"""The branch widgets as a person uses them: the navigator, editing a question in place, the
keys of a focused message, hover actions, "Answer again" and its menu, new paths shown while
the shared beginning stays, and the summary marker."""

from __future__ import annotations

from chat_support import msg
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QEnterEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.core.models import Summary
from chatdesk.ui.chat.chat_view import ChatView
from chatdesk.ui.chat.message_parts.branch_navigator import BranchNavigator
from chatdesk.ui.chat.message_widget import MessageWidget
from chatdesk.ui.chat.regenerate_menu import ModelChooser, RegenerateMenu
from chatdesk.ui.chat.summary_marker import SummaryMarker


def _path(*texts: str, first_id: int = 1) -> list:  # type: ignore[type-arg]
    return [
        msg(first_id + i, "user" if i % 2 == 0 else "assistant", text)
        for i, text in enumerate(texts)
    ]


def test_navigator_shows_the_position_and_asks_for_neighbours(qtbot: QtBot) -> None:
    nav = BranchNavigator()
    qtbot.addWidget(nav)
    nav.set_siblings((4, 9), 4)
    assert nav.isHidden() is False and nav.label.text() == "1 / 2"
    assert not nav.previous_button.isEnabled() and nav.next_button.isEnabled()
    with qtbot.waitSignal(nav.switchTo) as switched:
        QTest.mouseClick(nav.next_button, Qt.MouseButton.LeftButton)
    assert switched.args == [9]
    assert not nav.step(-1)  # nothing before the first

    nav.set_siblings((4, 9, 12), 12)
    assert nav.position == (3, 3) and nav.label.text() == "3 / 3"
    with qtbot.waitSignal(nav.switchTo) as switched:
        QTest.mouseClick(nav.previous_button, Qt.MouseButton.LeftButton)
    assert switched.args == [9]

    nav.set_siblings((4,), 4)
    assert nav.isHidden()


def test_a_question_is_edited_in_place_and_enter_sends_it(view: ChatView, qtbot: QtBot) -> None:
    view.show_conversation(_path("Which is sweeter?", "The lychee."), has_older=False)
    question = view.message_widgets()[0]

    assert view.edit_last_user_message()
    assert question.editing and question.editor is not None
    editor = question.editor.text_edit
    assert QApplication.focusWidget() is editor
    assert editor.textCursor().position() == len("Which is sweeter?")
    QTest.keyClicks(editor, " Be honest.")
    QTest.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClicks(editor, "Really.")
    with qtbot.waitSignal(view.editSaved) as saved:
        QTest.keyClick(editor, Qt.Key.Key_Return)
    assert saved.args == [1, "Which is sweeter? Be honest.\nReally."]
    assert not question.editing and question.source == "Which is sweeter?"


def test_escape_and_an_unchanged_text_close_the_editor_without_sending(
    view: ChatView, qtbot: QtBot
) -> None:
    view.show_conversation(_path("Hello", "Hi"), has_older=False)
    question = view.message_widgets()[0]
    sent: list[object] = []
    view.editSaved.connect(lambda *args: sent.append(args))

    assert view.begin_edit(1)
    assert question.editor is not None
    with qtbot.waitSignal(view.editClosed):
        QTest.keyClick(question.editor.text_edit, Qt.Key.Key_Escape)
    assert not question.editing and not question.branch_bar.isHidden()

    view.begin_edit(1)
    assert question.editor is not None
    with qtbot.waitSignal(view.editClosed):
        QTest.keyClick(question.editor.text_edit, Qt.Key.Key_Return)  # nothing changed
    view.begin_edit(1)
    assert question.editor is not None
    question.editor.text_edit.selectAll()
    QTest.keyClick(question.editor.text_edit, Qt.Key.Key_Delete)
    QTest.keyClick(question.editor.text_edit, Qt.Key.Key_Return)  # empty: not sent
    assert question.editing and not question.editor.send_button.isEnabled()
    assert sent == []
    assert not view.begin_edit(2)  # answers are not edited


def test_keys_on_a_focused_message(view: ChatView, qtbot: QtBot) -> None:
    view.show_conversation(_path("Q", "A"), has_older=False)
    question, answer = view.message_widgets()
    answer.setFocus()
    with qtbot.waitSignal(view.regenerateRequested) as again:
        QTest.keyClick(answer, Qt.Key.Key_R)
    assert again.args == [2, None]
    with qtbot.waitSignal(view.branchOffRequested) as off:
        QTest.keyClick(answer, Qt.Key.Key_B)
    assert off.args == [2]
    with qtbot.waitSignal(view.deleteBranchRequested) as deleted:
        QTest.keyClick(answer, Qt.Key.Key_Delete)
    assert deleted.args == [2]
    question.setFocus()
    QTest.keyClick(question, Qt.Key.Key_E)
    assert question.editing


def test_actions_show_on_hover_and_focus_without_moving_anything(
    view: ChatView, qtbot: QtBot
) -> None:
    view.show_conversation(_path("Q", "A"), has_older=False)
    answer = view.message_widgets()[1]
    bar = answer.branch_bar
    height = answer.height()
    assert not bar.actions_visible
    QApplication.sendEvent(answer, QEnterEvent(QPointF(5, 5), QPointF(5, 5), QPointF(5, 5)))
    assert bar.actions_visible
    QApplication.sendEvent(answer, QEvent(QEvent.Type.Leave))
    assert not bar.actions_visible
    answer.setFocus()
    qtbot.waitUntil(lambda: bar.actions_visible)
    assert answer.height() == height


def test_every_answer_offers_answer_again_and_its_menu(view: ChatView, qtbot: QtBot) -> None:
    view.set_regenerate_choices(
        lambda: [("openai/gpt-4o", "GPT-4o"), ("anthropic/claude-sonnet-4", "Claude Sonnet 4")],
        lambda: [(3, "Concise"), (5, "Creative")],
    )
    view.show_conversation(_path("Q1", "A1", "Q2", "A2"), has_older=False)
    answers = [w for w in view.message_widgets() if w.role == "assistant"]
    assert all(not w.regenerate_button.isHidden() for w in answers)
    with qtbot.waitSignal(view.regenerateRequested) as again:
        QTest.mouseClick(answers[0].regenerate_button, Qt.MouseButton.LeftButton)
    assert again.args == [2, None]

    menu = answers[0].regenerate_button.menu()
    assert isinstance(menu, RegenerateMenu)
    menu.aboutToShow.emit()
    labels = [a.text() for a in menu.actions()]
    assert labels == ["Answer again", "With another model…", "With preset"]
    presets = menu.actions()[2].menu()
    assert [a.text() for a in presets.actions()] == ["Concise", "Creative"]
    with qtbot.waitSignal(view.regenerateRequested) as again:
        presets.actions()[1].trigger()
    assert again.args == [2, ("preset", 5)]


def test_the_model_chooser_filters_and_enter_picks(qtbot: QtBot) -> None:
    chooser = ModelChooser(
        [("openai/gpt-4o", "GPT-4o"), ("anthropic/claude-sonnet-4", "Claude Sonnet 4")]
    )
    qtbot.addWidget(chooser)
    chooser.show()
    QTest.keyClicks(chooser.filter, "claude")
    assert [chooser.list.item(i).isHidden() for i in range(2)] == [True, False]
    with qtbot.waitSignal(chooser.picked) as picked:
        QTest.keyClick(chooser.filter, Qt.Key.Key_Return)
    assert picked.args == ["anthropic/claude-sonnet-4"]


def test_show_path_keeps_the_shared_beginning_and_rebuilds_the_rest(view: ChatView) -> None:
    path = _path("Q1", "A1", "Q2", "A2")
    view.show_conversation(path, has_older=False)
    before = view.message_widgets()

    other = [
        *path[:2],
        msg(7, "user", "Q2, edited", sibling_ids=(3, 7)),
        msg(8, "assistant", "A2 for the edit"),
    ]
    view.show_path(other, has_older=False)

    after = view.message_widgets()
    assert after[:2] == before[:2]  # the same widgets: not built or painted again
    assert [w.source for w in after] == ["Q1", "A1", "Q2, edited", "A2 for the edit"]
    assert after[2].navigator_position == (2, 2)

    # Back: the first alternative again, its navigator at 1 / 2.
    back = [*path[:2], msg(3, "user", "Q2", sibling_ids=(3, 7)), path[3]]
    view.show_path(back, has_older=False)
    again = view.message_widgets()
    assert again[:2] == before[:2]
    assert again[2].navigator_position == (1, 2) and again[3].source == "A2"


def test_a_path_without_the_first_widget_is_shown_anew(view: ChatView) -> None:
    view.show_conversation(_path("Q1", "A1"), has_older=False)
    first = view.message_widgets()[0]
    view.show_path(_path("Other root", "Its answer", first_id=10), has_older=False)
    widgets = view.message_widgets()
    assert first not in widgets and [w.source for w in widgets] == ["Other root", "Its answer"]


def test_truncate_after_drops_what_follows(view: ChatView) -> None:
    view.show_conversation(_path("Q1", "A1", "Q2", "A2"), has_older=False)
    view.truncate_after(2)
    assert [w.message_id for w in view.message_widgets()] == [1, 2]
    view.truncate_after(999)  # not shown: nothing happens
    assert len(view.message_widgets()) == 2
    view.truncate_after(None)
    assert view.message_widgets() == []


def test_the_summary_marker_sits_after_what_it_covers(view: ChatView, qtbot: QtBot) -> None:
    view.show_conversation(_path("Q1", "A1", "Q2", "A2"), has_older=False)
    summary = Summary(4, 1, through_id=2, content="They greeted each other.", created_at=1.0)
    view.show_summary(summary)
    markers = view.findChildren(SummaryMarker)
    assert len(markers) == 1
    marker = markers[0]
    items = [w for w in view._items if not w.isHidden()]
    assert items.index(marker) == 2  # after A1, before Q2
    assert not marker.expanded
    QTest.mouseClick(marker.toggle, Qt.MouseButton.LeftButton)
    assert marker.expanded and marker.text.text() == "They greeted each other."
    with qtbot.waitSignal(view.undoSummaryRequested) as undo:
        QTest.mouseClick(marker.undo, Qt.MouseButton.LeftButton)
    assert undo.args == [4]

    view.show_summary(None)
    qtbot.waitUntil(lambda: not [m for m in view.findChildren(SummaryMarker) if m.isVisible()])


def test_a_compact_tool_message_with_alternatives_shows_its_navigator(qtbot: QtBot) -> None:
    from chatdesk.core.models import ToolCall

    message = msg(5, "assistant", "", tool_calls=(ToolCall("c1", "calc__add", "{}"),))
    widget = MessageWidget.from_message(
        message.__class__(**{**_fields(message), "sibling_ids": (5, 8)})
    )
    qtbot.addWidget(widget)
    widget.show()
    assert widget.is_compact and widget.navigator_position == (1, 2)
    assert widget.branch_bar.navigator.isVisible()


def _fields(message: object) -> dict[str, object]:
    from dataclasses import fields

    return {f.name: getattr(message, f.name) for f in fields(message)}  # type: ignore[arg-type]


def test_flipping_back_reuses_the_widgets_of_the_alternative(view: ChatView) -> None:
    path = _path("Q1", "A1", "Q2", "A2")
    view.show_conversation(path, has_older=False)
    first_answer = view.message_widgets()[3]
    other = [*path[:3], msg(9, "assistant", "A2 again", sibling_ids=(4, 9))]

    view.show_path(other, has_older=False)
    assert [w.source for w in view.message_widgets()] == ["Q1", "A1", "Q2", "A2 again"]
    view.show_path([*path[:3], msg(4, "assistant", "A2", sibling_ids=(4, 9))], has_older=False)

    widgets = view.message_widgets()
    assert widgets[3] is first_answer and first_answer.isVisible()
    assert first_answer.navigator_position == (1, 2)
    assert [w.source for w in widgets] == ["Q1", "A1", "Q2", "A2"]
    # In the layout, in order: nothing left over from the switch.
    column = view.widget().findChild(QWidget, "chatColumn")
    assert column is not None
    layout = column.layout()
    shown = [layout.itemAt(i).widget() for i in range(layout.count())]
    assert [w for w in shown if isinstance(w, MessageWidget)] == widgets
