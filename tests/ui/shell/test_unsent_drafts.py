"""Unsent text comes back into an empty composer, and never over or into what is typed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.ui.composer.composer import Composer
from chatdesk.ui.shell.banner import Banner
from chatdesk.ui.shell.unsent_drafts import UnsentDrafts

pytestmark = pytest.mark.gui


@pytest.fixture
def holder(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def parts(holder: QWidget) -> tuple[Composer, Banner, UnsentDrafts, list[str]]:
    composer, banner = Composer(holder), Banner(holder)
    focused: list[str] = []
    drafts = UnsentDrafts(composer, banner, lambda: focused.append("composer"))
    holder.show()
    return composer, banner, drafts, focused


def test_into_an_empty_composer_it_comes_back_whole(
    parts: tuple[Composer, Banner, UnsentDrafts, list[str]],
) -> None:
    composer, banner, drafts, focused = parts
    drafts.restore("first question")
    assert composer.text() == "first question"
    assert not banner.isVisible() and focused == ["composer"]
    drafts.restore("first question")  # given back twice: still once
    assert composer.text() == "first question"


def test_what_the_user_types_is_never_merged_with_it(
    parts: tuple[Composer, Banner, UnsentDrafts, list[str]],
) -> None:
    composer, banner, drafts, _ = parts
    QTest.keyClicks(composer.edit, "third question")
    drafts.restore("first question")
    assert composer.text() == "third question"  # nothing put over or into it
    assert banner.isVisible() and "first question" in banner.label.text()
    QTest.keyClicks(composer.edit, " and more")
    assert composer.text() == "third question and more"

    insert = banner.findChild(QPushButton, "bannerAction")
    assert insert is not None and insert.isVisible() and insert.text() == "Insert it"
    QTest.mouseClick(insert, Qt.MouseButton.LeftButton)  # only when the user asks
    assert composer.text() == "third question and morefirst question"
    assert not banner.isVisible()


def test_a_resent_draft_leaves_the_composer(
    parts: tuple[Composer, Banner, UnsentDrafts, list[str]],
) -> None:
    composer, _, drafts, _ = parts
    drafts.restore("again")
    drafts.resent("again")
    assert composer.text() == ""
    QTest.keyClicks(composer.edit, "something else")
    drafts.resent("again")
    assert composer.text() == "something else"
