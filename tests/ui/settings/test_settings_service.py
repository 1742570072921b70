"""SettingsService: settings.json written off the UI thread, failures reported once."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from chatdesk.settings import SettingsStore
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.settings.settings_service import SettingsService
from qtapp import SignalWaiter


async def test_saved_settings_reach_the_file_and_the_saved_signal(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json", environ={})
    settings = store.load()
    runner = TaskRunner()
    service = SettingsService(store, runner)
    saved = SignalWaiter(service.saved)
    settings.system_prompt = "Be brief."
    service.save(settings)
    (value,) = await saved.wait()
    assert value is settings
    assert json.loads((tmp_path / "settings.json").read_text())["system_prompt"] == "Be brief."


async def test_a_failed_save_says_why_or_only_logs_it_when_quiet(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    store = SettingsStore(blocker / "settings.json", environ={})
    settings = store.load()
    runner = TaskRunner()
    service = SettingsService(store, runner)
    failed = SignalWaiter(service.failed)
    service.save(settings)
    (text,) = await failed.wait()
    assert text.startswith("Could not save settings:")
    with caplog.at_level(logging.WARNING):
        service.save(settings, quiet=True)
        await runner.wait_idle()
    assert len(failed.values) == 1
    assert "could not save the theme" in caplog.text
