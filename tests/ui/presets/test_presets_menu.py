"""The Presets menu: entries, the active check mark, Ctrl+1…Ctrl+9; and, wired to a real
controller, store and fake OpenRouter, Ctrl+2 / Ctrl+1 switching what the next request carries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMainWindow
from pytestqt.qtbot import QtBot

from chatdesk.core.models import TurnConfig
from chatdesk.core.orchestrator import ChatOrchestrator
from chatdesk.core.presets import (
    ModelParameters,
    Preset,
    ProviderRouting,
    TurnDefaults,
    apply_preset,
    turn_config,
)
from chatdesk.providers.openrouter import OpenRouterClient
from chatdesk.storage.presets import PresetStore
from chatdesk.storage.repository import ChatRepository
from chatdesk.ui.chat.chat_controller import ChatController
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.presets.preset_manager import PresetManager
from chatdesk.ui.presets.presets_menu import PresetsMenu, menu_text
from fakes.openrouter import FakeOpenRouter
from qtapp import SignalWaiter

pytestmark = pytest.mark.gui


def _window(qtbot: QtBot) -> tuple[QMainWindow, PresetsMenu]:
    window = QMainWindow()
    qtbot.addWidget(window)
    menu = window.menuBar().addMenu("&Presets")
    presets_menu = PresetsMenu(menu)
    window.show()
    window.activateWindow()
    assert QTest.qWaitForWindowActive(window)  # shortcuts go to the active window
    return window, presets_menu


def _presets(count: int) -> list[Preset]:
    return [Preset(f"Preset {i}", id=100 + i) for i in range(1, count + 1)]


def test_entries_shortcuts_and_the_active_check(qtbot: QtBot) -> None:
    window, presets_menu = _window(qtbot)
    presets = [*_presets(10), Preset("R&D", id=7)]
    presets_menu.set_presets(presets, active_id=102)
    actions = [a for a in presets_menu.menu.actions() if a.isCheckable()]
    assert [a.text() for a in actions[:2]] == ["&1  Preset 1", "&2  Preset 2"]
    assert actions[8].shortcut() == QKeySequence("Ctrl+9")
    assert actions[9].shortcut().isEmpty()  # only the first nine get one
    assert menu_text(10, "R&D") == "R&&D"
    assert [a.isChecked() for a in actions[:3]] == [False, True, False]
    texts = [a.text() for a in presets_menu.menu.actions() if not a.isSeparator()]
    assert texts[-2:] == ["&Save current as preset…", "&Manage presets…"]

    with qtbot.waitSignal(presets_menu.presetChosen) as chosen:
        QTest.keySequence(window, QKeySequence("Ctrl+1"))
    assert chosen.args == [101]
    assert presets_menu.active_id == 101
    action = presets_menu.action_for(101)
    assert action is not None and action.isChecked()
    assert not actions[1].isChecked()

    with qtbot.waitSignal(presets_menu.saveRequested):
        QTest.keySequence(window, QKeySequence("Ctrl+Shift+S"))
    with qtbot.waitSignal(presets_menu.manageRequested):
        presets_menu.manage_action.trigger()


def test_no_presets_says_so_and_set_active_moves_the_check(qtbot: QtBot) -> None:
    _, presets_menu = _window(qtbot)
    texts = [a.text() for a in presets_menu.menu.actions() if not a.isSeparator()]
    assert texts[0] == "No presets yet"
    assert not presets_menu.menu.actions()[0].isEnabled()
    presets_menu.set_presets(_presets(2))
    presets_menu.set_active(102)
    assert [a.isChecked() for a in presets_menu.menu.actions()[:2]] == [False, True]
    presets_menu.set_active(None)
    assert not any(a.isChecked() for a in presets_menu.menu.actions())


# --- with a real controller, store and the fake OpenRouter ---------------------------------------


class Wiring:
    """The app's wiring in miniature: a window with the Presets menu over a ChatController."""

    def __init__(self, repo: ChatRepository, provider: OpenRouterClient) -> None:
        self.runner = TaskRunner()
        self.repo = repo
        self.store = PresetStore(repo)
        self.manager = PresetManager(self.store, self.runner)
        self.active: Preset | None = None
        self.messages: list[str] = []
        self.controller = ChatController(
            repo,
            lambda: (
                ChatOrchestrator(repo, provider, model_info=self.controller.model_info),
                provider,
            ),
            self.runner,
            self.turn_config,
            "openai/gpt-4o-mini",
        )
        self.window = QMainWindow()
        self.menu = PresetsMenu(self.window.menuBar().addMenu("&Presets"))
        self.manager.presetsChanged.connect(
            lambda presets: self.menu.set_presets(presets, self.active.id if self.active else None)
        )
        self.menu.presetChosen.connect(self.apply)

    def turn_config(self, model: str) -> TurnConfig:
        defaults = TurnDefaults(system_prompt="Default", generate_titles=False)
        return turn_config(self.active, model, self.controller.model_info(model), defaults)

    def apply(self, preset_id: int) -> None:
        preset = self.manager.find(preset_id)
        assert preset is not None
        applied = apply_preset(
            preset, current_model=self.controller.model, models=self.controller.models
        )
        self.active = preset
        self.controller.set_model(applied.model)
        self.messages.append(applied.message)


@pytest.fixture
async def wiring(
    qapp: QApplication, fake_openrouter: FakeOpenRouter, data_dir: Path
) -> AsyncIterator[Wiring]:
    repo = await ChatRepository.open(data_dir / "chatdesk.db")
    provider = OpenRouterClient(
        fake_openrouter.base_url, "sk-or-v1-test", openrouter=True, max_attempts=1
    )
    wired = Wiring(repo, provider)
    yield wired
    await wired.runner.wait_idle()
    await wired.controller.shutdown()
    await wired.runner.shutdown()
    wired.window.hide()  # close() of the last window would quit the app (and its loop)
    wired.window.deleteLater()
    await provider.aclose()
    await repo.close()


class _Activated(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.event = asyncio.Event()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.WindowActivate:
            self.event.set()
        return False


async def _activate(window: QMainWindow) -> None:
    """Show and activate ``window`` (shortcuts go to the active window) without a nested loop."""
    watcher = _Activated()
    window.installEventFilter(watcher)
    window.show()
    window.activateWindow()
    if not window.isActiveWindow():
        async with asyncio.timeout(5):
            await watcher.event.wait()
    window.removeEventFilter(watcher)


async def _send(wired: Wiring, text: str) -> None:
    finished = SignalWaiter(wired.controller.messageFinished)
    assert wired.controller.send(text)
    await finished.wait()
    await wired.runner.wait_idle()


async def test_ctrl_2_then_ctrl_1_switch_what_the_next_request_carries(
    wiring: Wiring, fake_openrouter: FakeOpenRouter
) -> None:
    quick = Preset(
        "Quick",
        model="openai/gpt-4o-mini",
        parameters=ModelParameters(temperature=0.2, top_k=5, seed=11),
        system_prompt="Be quick.",
    )
    deep = Preset(
        "Deep",
        model="deepseek/deepseek-r1:free",
        parameters=ModelParameters(reasoning_effort="high", max_tokens=100, temperature=1.0),
        routing=ProviderRouting(sort="price", ignore=("slowco",)),
        system_prompt="Think deeply.",
    )
    await wiring.store.create(quick)
    await wiring.store.create(deep)
    await wiring.manager.load()
    wiring.controller.load_models()
    await wiring.runner.wait_idle()
    await _activate(wiring.window)

    QTest.keySequence(wiring.window, QKeySequence("Ctrl+2"))
    assert wiring.controller.model == "deepseek/deepseek-r1:free"
    assert wiring.messages[-1].startswith("Preset “Deep” applied · deepseek/deepseek-r1:free")
    await _send(wiring, "first")
    body = fake_openrouter.requests_to()[-1].json
    assert body["model"] == "deepseek/deepseek-r1:free"
    assert body["messages"][0] == {"role": "system", "content": "Think deeply."}
    assert body["reasoning"] == {"effort": "high"} and body["max_tokens"] == 100
    assert body["provider"] == {"ignore": ["slowco"], "sort": "price"}
    assert "temperature" not in body  # R1 does not list it

    QTest.keySequence(wiring.window, QKeySequence("Ctrl+1"))
    assert wiring.controller.model == "openai/gpt-4o-mini"
    await _send(wiring, "second")
    body = fake_openrouter.requests_to()[-1].json
    assert body["model"] == "openai/gpt-4o-mini"
    assert body["temperature"] == 0.2 and body["seed"] == 11
    assert "top_k" not in body and "reasoning" not in body and "provider" not in body
    contents = [m["content"] for m in body["messages"]]
    assert contents == ["Be quick.", "first", "first", "second"]  # the history is kept
    conversation = wiring.controller.conversation
    assert conversation is not None
    stored = await wiring.repo.get_conversation(conversation.id)
    assert stored is not None and stored.preset_id == wiring.manager.presets[0].id
