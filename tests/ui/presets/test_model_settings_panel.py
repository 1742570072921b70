"""The model settings panel and the preset editor: greyed-out parameters, round trips, errors."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLineEdit, QSpinBox
from pytestqt.qtbot import QtBot

from chatdesk.core.models import ModelInfo
from chatdesk.core.presets import ModelParameters, Preset, ProviderRouting
from chatdesk.ui.presets.model_settings_panel import ModelSettingsPanel
from chatdesk.ui.presets.preset_editor_dialog import PresetEditorDialog

pytestmark = pytest.mark.gui

GPT = ModelInfo(
    "openai/gpt-4o-mini",
    supported_parameters=("max_tokens", "temperature", "tools", "tool_choice", "seed"),
)
R1 = ModelInfo("deepseek/deepseek-r1:free", supported_parameters=("reasoning", "max_tokens"))
FULL = Preset(
    "Full",
    model="openai/gpt-4o-mini",
    parameters=ModelParameters(
        temperature=0.3,
        top_p=0.8,
        top_k=40,
        max_tokens=500,
        frequency_penalty=0.5,
        presence_penalty=-0.5,
        repetition_penalty=1.1,
        seed=2**40,
        reasoning_effort="high",
    ),
    routing=ProviderRouting(
        order=("openai", "azure"),
        only=("openai", "azure"),
        ignore=("deepinfra",),
        allow_fallbacks=False,
        data_collection="deny",
        sort="latency",
        max_price={"prompt": 1.0, "completion": 2.5, "request": 0.01},
    ),
    system_prompt="Be terse.",
    mcp_servers=frozenset({"calculator", "gone"}),
    tool_approvals={"calculator": "allow_all", "calculator__calculate": "ask"},
)


def _panel(qtbot: QtBot) -> ModelSettingsPanel:
    panel = ModelSettingsPanel(models=[GPT, R1], servers=["calculator", "housekeeping"])
    qtbot.addWidget(panel)
    return panel


def test_unsupported_parameters_are_greyed_out_and_say_why(qtbot: QtBot) -> None:
    panel = _panel(qtbot)
    panel.set_preset(FULL)
    top_k = panel.checks["top_k"]
    assert not top_k.isEnabled() and top_k.isChecked()  # the value is kept, not sent
    assert not panel.editors["top_k"].isEnabled()
    reason = "openai/gpt-4o-mini does not support top k (top_k), so it is not sent."
    assert top_k.toolTip() == reason and panel.editors["top_k"].toolTip() == reason
    assert panel.notes["top_k"].text() == "not supported by openai/gpt-4o-mini"
    assert panel.checks["temperature"].isEnabled() and panel.editors["temperature"].isEnabled()
    assert "Greyed out" in panel.support_label.text()

    index = panel.model_picker.findText("deepseek/deepseek-r1:free")
    panel.model_picker.activated.emit(index)  # chosen from the list
    assert panel.checks["reasoning_effort"].isEnabled()
    assert not panel.checks["temperature"].isEnabled()

    line = panel.model_picker.lineEdit()
    assert line is not None
    line.setText("my/local-model")  # typed
    assert all(check.isEnabled() for check in panel.checks.values())
    assert "cannot tell which parameters it supports" in panel.support_label.text()


def test_a_preset_comes_back_unchanged_from_the_panel(qtbot: QtBot) -> None:
    panel = _panel(qtbot)
    panel.set_preset(FULL)
    labels = [panel.server_table.item(r, 0).text() for r in range(panel.server_table.rowCount())]
    assert labels == ["calculator", "housekeeping", "gone (not configured)"]
    assert panel.preset("Full") == FULL

    blank = Preset("Blank")
    panel.set_preset(blank)
    assert panel.preset("Blank") == blank


def test_checking_a_parameter_enables_its_editor_and_sets_it(qtbot: QtBot) -> None:
    panel = _panel(qtbot)
    panel.set_preset(Preset("P", model="openai/gpt-4o-mini"))
    editor = panel.editors["max_tokens"]
    assert isinstance(editor, QSpinBox) and not editor.isEnabled()
    QTest.mouseClick(panel.checks["max_tokens"], Qt.MouseButton.LeftButton)
    assert editor.isEnabled()
    editor.setValue(1234)
    item = panel.server_table.item(1, 0)
    item.setCheckState(Qt.CheckState.Checked)
    combo = panel.server_table.cellWidget(1, 1)
    assert isinstance(combo, QComboBox)
    combo.setCurrentIndex(combo.findData("ask"))
    preset = panel.preset("P")
    assert preset.parameters == ModelParameters(max_tokens=1234)
    assert preset.mcp_servers == {"housekeeping"}
    assert preset.tool_approvals == {"housekeeping": "ask"}


def _save(dialog: PresetEditorDialog) -> None:
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None
    QTest.mouseClick(save, Qt.MouseButton.LeftButton)


def test_the_editor_says_what_is_wrong_and_stays_open(qtbot: QtBot) -> None:
    dialog = PresetEditorDialog(
        Preset("", model="openai/gpt-4o-mini"), models=[GPT], taken_names=["Coder"]
    )
    qtbot.addWidget(dialog)
    dialog.show()
    _save(dialog)
    assert dialog.isVisible() and dialog.result_preset is None
    assert dialog.error_label.text() == "⛔  A preset needs a name."

    dialog.name_edit.setText("coder")
    _save(dialog)
    assert "A preset named “coder” already exists." in dialog.error_label.text()

    dialog.name_edit.setText("Seeded")
    dialog.panel.checks["seed"].setChecked(True)
    seed = dialog.panel.editors["seed"]
    assert isinstance(seed, QLineEdit)
    seed.setText("-")
    dialog.panel.only_edit.setText("openai")
    dialog.panel.ignore_edit.setText("openai, azure")
    _save(dialog)
    assert dialog.error_label.text() == (
        "⛔  Seed must be a whole number (got '-').\n"
        "Openai cannot be both in “only” and in “ignore”."
    )
    seed.setText("42")
    dialog.panel.ignore_edit.setText("azure")
    _save(dialog)
    assert not dialog.isVisible()
    assert dialog.result_preset is not None
    assert dialog.result_preset.name == "Seeded"
    assert dialog.result_preset.parameters.seed == 42
    assert dialog.result_preset.routing.ignore == ("azure",)


def test_editing_keeps_the_presets_own_name_free(qtbot: QtBot) -> None:
    dialog = PresetEditorDialog(Preset("Coder", id=3, position=2), taken_names=["Coder", "Other"])
    qtbot.addWidget(dialog)
    dialog.show()
    _save(dialog)
    assert dialog.result_preset == Preset("Coder", id=3, position=2)
