"""Unsent text comes back into an empty composer, and never over or into what is typed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.ui.composer.composer import Composer
from chatdesk.ui.shell.unsent_drafts import UnsentDrafts

pytestmark = pytest.mark.gui


@pytest.fixture
def holder(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def parts(holder: QWidget) -> tuple[Composer, UnsentDrafts, list[str]]:
    composer = Composer(holder)
    focused: list[str] = []
    drafts = UnsentDrafts(composer, lambda: focused.append("composer"), holder)
    holder.show()
    return composer, drafts, focused


def _insert(drafts: UnsentDrafts) -> None:
    button = drafts.strip.findChild(QPushButton, "bannerAction")
    assert button is not None and button.isVisible() and button.text() == "Insert it"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def test_into_an_empty_composer_it_comes_back_whole(
    parts: tuple[Composer, UnsentDrafts, list[str]],
) -> None:
    composer, drafts, focused = parts
    drafts.restore("first question")
    assert composer.text() == "first question"
    assert not drafts.strip.isVisible() and focused == ["composer"]
    drafts.restore("first question")  # given back twice: still once
    assert composer.text() == "first question"


def test_what_the_user_types_is_never_merged_with_it(
    parts: tuple[Composer, UnsentDrafts, list[str]],
) -> None:
    composer, drafts, _ = parts
    QTest.keyClicks(composer.edit, "this and that")
    drafts.restore("hi")  # a short text that happens to be inside what is typed: still kept
    drafts.restore("first question")
    assert composer.text() == "this and that"  # nothing put over or into it
    assert drafts.waiting == ["hi", "first question"]
    assert drafts.strip.isVisible() and "first question" in drafts.strip.label.text()
    assert "1 more waiting" in drafts.strip.label.text()
    QTest.keyClicks(composer.edit, " and more")
    assert composer.text() == "this and that and more"

    _insert(drafts)  # only when the user asks, where the cursor is
    assert composer.text() == "this and that and morefirst question"
    assert drafts.strip.isVisible() and "“hi”" in drafts.strip.label.text()
    _insert(drafts)
    assert composer.text() == "this and that and morefirst questionhi"
    assert not drafts.strip.isVisible() and drafts.waiting == []


def test_a_resent_draft_leaves_the_composer(
    parts: tuple[Composer, UnsentDrafts, list[str]],
) -> None:
    composer, drafts, _ = parts
    drafts.restore("again")
    drafts.resent("again")
    assert composer.text() == ""
    QTest.keyClicks(composer.edit, "something else")
    drafts.resent("again")
    assert composer.text() == "something else"
