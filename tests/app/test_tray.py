"""The tray (where the desktop has one): its menu starts a new chat, shows and hides the
window and quits; with "close to tray" the window's close only hides it; an answer that
finishes while the window is hidden is a desktop notification."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from chatdesk.ui.shell.tray import Tray
from fakes.openrouter import FakeOpenRouter, Reply
from qtapp import SignalWaiter, started_app

pytestmark = pytest.mark.gui


@pytest.fixture
def tray_desktop(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """A desktop with a tray; the notifications it showed."""
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(Tray, "available", staticmethod(lambda: True))
    monkeypatch.setattr(Tray, "notify", lambda _self, title, text: shown.append((title, text)))
    return shown


async def test_the_tray_menu_and_closing_to_the_tray(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path, tray_desktop: list
) -> None:
    (data_dir / "settings.json").write_text(
        json.dumps({"generate_titles": False, "close_to_tray": True})
    )
    app_env.enqueue(Reply.stream("Done while you were away."))
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None
        if app.tray is None:  # made after the first paint
            await SignalWaiter(app.window.firstPainted).wait()
        assert app.tray is not None and app.tray.tray is not None
        tray, window = app.tray.tray, app.window
        assert [a.text() for a in tray.menu.actions() if a.text()] == [
            "New chat",
            "Quick ask",
            "Dictate",
            "Hide chatdesk",
            "Quit",
        ]

        # Close to the tray: the window goes, the app stays.
        window.close()
        assert not window.isVisible() and not app.quit_requested
        assert tray.actions["toggle"].text() == "Show chatdesk"

        # An answer finishing while hidden: a notification, and the window stays hidden.
        finished = SignalWaiter(app.controller.messageFinished)
        app.controller.send("work on this while I am away")
        await finished.wait(limit_s=30)
        assert tray_desktop == [("chatdesk: the answer is ready", "Done while you were away.")]
        assert not window.isVisible()

        # New chat from the tray: the window comes back on an empty chat.
        tray.actions["new"].trigger()
        assert window.isVisible() and app.controller.conversation_id is None
        assert tray.actions["toggle"].text() == "Hide chatdesk"
        tray.actions["toggle"].trigger()
        assert not window.isVisible()
        tray.actions["toggle"].trigger()
        assert window.isVisible()

        # Quit from the tray ends the app.
        tray.actions["quit"].trigger()
        assert app.quit_requested
