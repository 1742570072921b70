"""The code highlighters are compiled at idle, one language per tick, then the timer stops."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.ui.rendering.highlighter_warmup import WARM_LANGUAGES, HighlighterWarmup

pytestmark = pytest.mark.gui


def test_warms_each_language_once_then_stops(qtbot: QtBot) -> None:
    warmup = HighlighterWarmup(languages=("python", "json"), delay_ms=0, step_ms=0)
    assert warmup.left == ("python", "json") and not warmup.isActive()
    qtbot.waitUntil(lambda: not warmup.left and not warmup.isActive())
    assert "python" in WARM_LANGUAGES
