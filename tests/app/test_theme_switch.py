"""Switching the theme while the app runs repaints the window's bars in the new colours."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from fakes.openrouter import FakeOpenRouter
from qtapp import started_app

pytestmark = pytest.mark.gui


def _lightness(widget: QWidget) -> int:
    """Lightness of the widget's background near its right end (where nothing is drawn)."""
    image = widget.grab().toImage()
    return image.pixelColor(image.width() - 3, image.height() // 2).lightness()


async def test_the_menu_bar_and_toolbar_follow_a_theme_switch(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    (data_dir / "settings.json").write_text('{"theme": "light"}')
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.settings_flow is not None
        window = app.window
        assert _lightness(window.menuBar()) > 128 and _lightness(window.toolbar) > 128
        app.settings_flow.set_theme("dark")
        assert _lightness(window.menuBar()) < 128 and _lightness(window.toolbar) < 128
        app.settings_flow.set_theme("light")
        assert _lightness(window.menuBar()) > 128 and _lightness(window.toolbar) > 128
