"""What the main window remembers between runs, and the zoom steps."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from chatdesk.ui.shell.window_state import ZOOM_STEPS, WindowState, next_zoom

pytestmark = pytest.mark.gui


def test_zoom_steps_from_the_nearest_step_and_stops_at_the_ends() -> None:
    assert next_zoom(100, 1) == 110 and next_zoom(100, -1) == 90
    assert next_zoom(104, 1) == 110  # 104 is nearest 100
    assert next_zoom(ZOOM_STEPS[-1], 1) == ZOOM_STEPS[-1]
    assert next_zoom(ZOOM_STEPS[0], -1) == ZOOM_STEPS[0]


def test_zoom_and_last_conversation_survive_a_restart(tmp_path: Path) -> None:
    path = str(tmp_path / "window-state.ini")
    state = WindowState(QSettings(path, QSettings.Format.IniFormat))
    assert state.zoom() == 100 and state.last_conversation() is None
    state.set_zoom(125)
    state.set_last_conversation(7)
    del state
    again = WindowState(QSettings(path, QSettings.Format.IniFormat))
    assert again.zoom() == 125 and again.last_conversation() == 7
    again.set_last_conversation(None)
    assert again.last_conversation() is None
