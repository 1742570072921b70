"""One rule decides whether a palette is dark: the theme and the painted widgets agree."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from chatdesk.ui.kit import theme
from chatdesk.ui.kit.colors import is_dark, mix, muted_color

pytestmark = pytest.mark.gui


def _palette(window: str, base: str) -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    return palette


@pytest.fixture
def restored_theme(qapp: QApplication) -> Iterator[QApplication]:
    palette, sheet = QPalette(qapp.palette()), qapp.styleSheet()
    yield qapp
    qapp.setPalette(palette)
    qapp.setStyleSheet(sheet)


def test_dark_is_judged_by_the_background_content_is_drawn_on(qapp: QApplication) -> None:
    assert is_dark(_palette("#202124", "#18191b"))
    assert not is_dark(_palette("#efefef", "#ffffff"))
    # A system palette whose window and base disagree: the base decides.
    assert not is_dark(_palette("#202124", "#ffffff"))
    assert is_dark(_palette("#efefef", "#18191b"))


def test_the_theme_says_what_the_widgets_see(restored_theme: QApplication) -> None:
    for name, dark in (("dark", True), ("light", False)):
        assert theme.apply_theme(restored_theme, name) is dark
        assert is_dark(restored_theme.palette()) is dark
    assert theme.apply_theme(restored_theme, "system") is is_dark(restored_theme.palette())


def test_mixed_and_muted_colours(qapp: QApplication) -> None:
    assert mix(QColor("black"), QColor("white"), 0.5).name() == "#808080"
    assert mix(QColor("#d1242f"), QColor("white"), 0.0).name() == "#d1242f"
    palette = _palette("#ffffff", "#ffffff")
    palette.setColor(QPalette.ColorRole.Text, QColor("black"))
    assert muted_color(palette).name() == mix(QColor("black"), QColor("white"), 0.42).name()
