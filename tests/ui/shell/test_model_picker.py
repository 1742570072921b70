"""The model picker: searchable, shows context and prices, accepts any typed id."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from chatdesk.core.models import ModelInfo
from chatdesk.ui.kit.formatting import describe_model as describe
from chatdesk.ui.shell.model_picker import DETAILS_ROLE, ModelPicker

pytestmark = pytest.mark.gui

GPT = ModelInfo(
    "openai/gpt-4o-mini",
    "GPT-4o mini",
    context_length=128_000,
    input_modalities=("text", "image"),
    prompt_price=0.15e-6,
    completion_price=0.6e-6,
)
FREE = ModelInfo("meta/llama:free", context_length=8192, prompt_price=0.0, completion_price=0.0)


def test_describe_shows_context_prices_and_vision() -> None:
    assert describe(GPT) == "128k context · $0.15 in / $0.60 out per M · vision"
    assert describe(FREE) == "8k context · free"
    assert describe(ModelInfo("local/model")) == ""


def test_the_list_carries_details_and_typing_an_id_chooses_it(qtbot: QtBot) -> None:
    picker = ModelPicker()
    qtbot.addWidget(picker)
    picker.set_models([GPT, FREE])
    picker.set_current("openai/gpt-4o-mini")
    assert picker.count() == 2
    assert picker.itemData(0, DETAILS_ROLE) == describe(GPT)
    with qtbot.assertNotEmitted(picker.modelChosen):
        picker.set_current("meta/llama:free")
    line = picker.lineEdit()
    assert line is not None
    line.selectAll()
    with qtbot.waitSignal(picker.modelChosen) as chosen:
        QTest.keyClicks(line, "my-local-model")
        QTest.keyClick(line, Qt.Key.Key_Return)
    assert chosen.args == ["my-local-model"]
    assert picker.current_model() == "my-local-model"
