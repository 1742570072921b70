"""Colours derived from a palette, the one error red, and the one rule for "is this dark".

Nothing here holds a colour of its own except the error red: every fill and border is mixed
from the widget's palette when it paints, so a theme switch needs no restyling.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

__all__ = ["ERROR_RED", "is_dark", "mix", "muted_color"]

ERROR_RED = QColor("#d1242f")


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved a share ``t`` towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
        1.0,
    )


def muted_color(palette: QPalette) -> QColor:
    """Secondary text: the text colour moved towards the background."""
    return mix(palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base), 0.42)


def is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` is a dark one, judged by its Base colour: the background that
    messages, cards, code blocks and the model picker's chevron are drawn on. The theme's
    result (apply_theme) and every painted widget use this one rule, so they cannot disagree
    on a palette whose Window and Base differ (a system palette)."""
    return palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5
