"""Manage presets, driven like a user over a real PresetStore (SQLite on disk)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QMessageBox,
)

from chatdesk.core.models import ModelInfo
from chatdesk.core.presets import ModelParameters, Preset, TurnDefaults, snapshot
from chatdesk.storage.presets import PresetStore
from chatdesk.storage.repository import ChatRepository
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.presets.preset_editor_dialog import PresetEditorDialog, open_save_current
from chatdesk.ui.presets.preset_manager import PresetManager
from chatdesk.ui.presets.presets_dialog import PresetsDialog
from qtapp import SignalWaiter

pytestmark = pytest.mark.gui

SECRET = "dg-secret-value-123456"
GPT = ModelInfo("openai/gpt-4o-mini", supported_parameters=("temperature", "max_tokens"))


class Harness:
    def __init__(self, store: PresetStore, runner: TaskRunner) -> None:
        self.store = store
        self.runner = runner
        self.manager = PresetManager(store, runner, secrets=lambda: [SECRET])
        self.saved: list[Preset] = []
        self.manager.saved.connect(self.saved.append)
        self.dialog = PresetsDialog(
            self.manager, models=[GPT], servers=["calculator", "housekeeping"]
        )

    async def settle(self) -> None:
        await self.runner.wait_idle()

    def names(self) -> list[str]:
        return [self.dialog.list.item(i).text() for i in range(self.dialog.list.count())]

    def select(self, name: str) -> None:
        self.dialog.list.setCurrentRow(self.names().index(name))

    async def stored(self) -> list[str]:
        return [p.name for p in await self.store.list_presets()]


@pytest.fixture
async def harness(qapp: QApplication, data_dir: Path) -> AsyncIterator[Harness]:
    repo = await ChatRepository.open(data_dir / "chatdesk.db")
    runner = TaskRunner()
    store = PresetStore(repo)
    for name in ("Alpha", "Beta", "Gamma"):
        await store.create(Preset(name, model="openai/gpt-4o-mini"))
    made = Harness(store, runner)
    await made.manager.load()
    made.dialog.show()
    yield made
    await runner.wait_idle()
    made.dialog.hide()
    made.dialog.deleteLater()
    await runner.shutdown()
    await repo.close()


def _save(editor: PresetEditorDialog) -> None:
    button = editor.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert button is not None
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


async def test_new_and_edit_store_the_preset(harness: Harness) -> None:
    assert harness.names() == ["Alpha", "Beta", "Gamma"]
    QTest.mouseClick(harness.dialog.new_button, Qt.MouseButton.LeftButton)
    editor = harness.dialog.editor
    assert editor is not None and editor.isVisible()
    QTest.keyClicks(editor.name_edit, "Delta")
    editor.panel.checks["temperature"].setChecked(True)
    _save(editor)
    await harness.settle()
    assert harness.names()[-1] == "Delta"
    assert harness.dialog.status.text() == "✓  Saved preset “Delta”"
    assert harness.saved[-1].parameters == ModelParameters(temperature=1.0)

    harness.select("Beta")
    QTest.keyClick(harness.dialog.list, Qt.Key.Key_Return)  # Enter edits
    editor = harness.dialog.editor
    assert editor is not None and editor.windowTitle() == "Edit “Beta”"
    editor.panel.system_prompt.setPlainText("Be brief.")
    _save(editor)
    await harness.settle()
    beta = harness.manager.find(harness.saved[-1].id)
    assert beta is not None and beta.system_prompt == "Be brief." and beta.name == "Beta"
    assert await harness.stored() == ["Alpha", "Beta", "Gamma", "Delta"]


async def test_rename_in_place_and_a_taken_name_is_refused(harness: Harness) -> None:
    harness.select("Alpha")
    QTest.keyClick(harness.dialog.list, Qt.Key.Key_F2)
    editor = harness.dialog.list.findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    QTest.keyClicks(editor, "Alpha prime")
    renamed = SignalWaiter(harness.manager.done)
    QTest.keyClick(editor, Qt.Key.Key_Return)  # the view commits on its next turn
    assert await renamed.wait() == ("Renamed preset to “Alpha prime”",)
    await harness.settle()
    assert await harness.stored() == ["Alpha prime", "Beta", "Gamma"]

    harness.select("Beta")
    QTest.mouseClick(harness.dialog.rename_button, Qt.MouseButton.LeftButton)
    editor = harness.dialog.list.findChild(QLineEdit)
    assert editor is not None
    editor.selectAll()
    QTest.keyClicks(editor, "GAMMA")
    refused = SignalWaiter(harness.manager.failed)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    await refused.wait()
    await harness.settle()
    assert harness.dialog.status.text() == (
        "⛔  A preset named “Gamma” already exists. Choose another name."
    )
    assert harness.names() == ["Alpha prime", "Beta", "Gamma"]  # the list shows the truth
    assert await harness.stored() == ["Alpha prime", "Beta", "Gamma"]


async def test_duplicate_reorder_and_delete(harness: Harness) -> None:
    harness.select("Alpha")
    QTest.mouseClick(harness.dialog.duplicate_button, Qt.MouseButton.LeftButton)
    await harness.settle()
    assert harness.names() == ["Alpha", "Alpha (copy)", "Beta", "Gamma"]

    harness.select("Gamma")
    QTest.mouseClick(harness.dialog.up_button, Qt.MouseButton.LeftButton)
    await harness.settle()
    assert harness.names() == ["Alpha", "Alpha (copy)", "Gamma", "Beta"]
    assert harness.dialog.list.currentItem().text() == "Gamma"  # the selection follows
    QTest.keySequence(harness.dialog.list, QKeySequence("Alt+Down"))
    await harness.settle()
    assert await harness.stored() == ["Alpha", "Alpha (copy)", "Beta", "Gamma"]
    assert not harness.dialog.down_button.isEnabled()  # Gamma is last now

    harness.select("Beta")
    QTest.mouseClick(harness.dialog.delete_button, Qt.MouseButton.LeftButton)
    box = harness.dialog.confirm
    assert box is not None and "Delete the preset “Beta”?" in box.text()
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    assert cancel is not None
    cancel.click()
    await harness.settle()
    assert "Beta" in await harness.stored()

    QTest.keySequence(harness.dialog.list, QKeySequence(QKeySequence.StandardKey.Delete))
    box = harness.dialog.confirm
    assert box is not None
    yes = box.button(QMessageBox.StandardButton.Yes)
    assert yes is not None
    yes.click()
    await harness.settle()
    assert await harness.stored() == ["Alpha", "Alpha (copy)", "Gamma"]
    assert harness.dialog.status.text() == "✓  Deleted “Beta”"


async def test_export_then_import_through_the_file_dialogs(
    harness: Harness, data_dir: Path
) -> None:
    alpha = harness.manager.find(harness.manager.presets[0].id)
    assert alpha is not None and alpha.id is not None
    harness.manager.update(
        Preset("Alpha", id=alpha.id, system_prompt=f"Use key {SECRET} and sk-or-v1-0123456789abc")
    )
    await harness.settle()
    target = data_dir / "exported.json"
    QTest.mouseClick(harness.dialog.export_button, Qt.MouseButton.LeftButton)
    chooser = harness.dialog.file_dialog
    assert isinstance(chooser, QFileDialog) and chooser.isVisible()
    chooser.fileSelected.emit(str(target))
    chooser.close()
    await harness.settle()
    assert harness.dialog.status.text() == "✓  Exported 3 presets to exported.json"
    text = target.read_text()
    assert SECRET not in text and "sk-or-v1-0123456789abc" not in text
    assert [p["name"] for p in json.loads(text)["presets"]] == ["Alpha", "Beta", "Gamma"]

    for preset in list(harness.manager.presets[1:]):
        assert preset.id is not None
        harness.manager.delete(preset.id)
    await harness.settle()
    document = json.loads(text)
    document["presets"] = document["presets"][1:]
    target.write_text(json.dumps(document))
    QTest.mouseClick(harness.dialog.import_button, Qt.MouseButton.LeftButton)
    chooser = harness.dialog.file_dialog
    assert isinstance(chooser, QFileDialog)
    chooser.fileSelected.emit(str(target))
    chooser.close()
    await harness.settle()
    assert harness.dialog.status.text() == "✓  Imported 2 presets: Beta, Gamma"
    assert await harness.stored() == ["Alpha", "Beta", "Gamma"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{oops", "bad.json: The file is not valid JSON"),
        ('[{"name": "New"}, {"name": "beta"}]', "a preset named “beta” already exists"),
        (
            '[{"name": "Hot", "parameters": {"temperature": 7}}]',
            "Nothing was imported. #1: Preset “Hot”: temperature must be between 0 and 2 (got 7).",
        ),
    ],
)
async def test_an_invalid_import_changes_nothing_and_says_why(
    harness: Harness, data_dir: Path, content: str, message: str
) -> None:
    bad = data_dir / "bad.json"
    bad.write_text(content)
    harness.manager.import_file(bad)
    await harness.settle()
    assert message in harness.dialog.status.text()
    assert harness.dialog.status.text().startswith("⛔")
    assert await harness.stored() == ["Alpha", "Beta", "Gamma"]
    harness.manager.import_file(data_dir / "missing.json")
    await harness.settle()
    assert "Could not read missing.json" in harness.dialog.status.text()


async def test_save_current_as_preset(harness: Harness) -> None:
    beta = next(p for p in harness.manager.presets if p.name == "Beta")
    current = snapshot(
        beta, model="openai/gpt-4o-mini", defaults=TurnDefaults(), taken=harness.manager.names()
    )
    editor = open_save_current(harness.manager, current, models=[GPT], parent=harness.dialog)
    assert editor.name_edit.text() == "Beta (copy)"
    assert editor.panel.model_picker.currentText() == "openai/gpt-4o-mini"
    _save(editor)
    await harness.settle()
    assert await harness.stored() == ["Alpha", "Beta", "Gamma", "Beta (copy)"]
    assert harness.saved[-1].name == "Beta (copy)"

    fresh = snapshot(
        None,
        model="x/y",
        defaults=TurnDefaults(system_prompt="Hi"),
        servers=["calculator"],
        taken=harness.manager.names(),
    )
    assert fresh == Preset(
        "My preset", model="x/y", system_prompt="Hi", mcp_servers=frozenset({"calculator"})
    )


async def test_before_the_database_opens_changes_say_so(qapp: QApplication) -> None:
    runner = TaskRunner()
    manager = PresetManager(None, runner)
    failed = SignalWaiter(manager.failed)
    manager.create(Preset("Early"))
    assert await failed.wait() == ("The presets are still loading; try again in a moment.",)
    assert await manager.load() == [] and not manager.loaded
    await runner.wait_idle()
