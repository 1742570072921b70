"""The model settings panel: model, parameters, provider routing, system prompt and MCP tools.

It edits everything of a preset but its name. Parameters the chosen model does not support
(per the catalogue's ``supported_parameters``) are greyed out, with a tooltip saying why; their
values are kept (another model may use them) but not sent. Used by the preset editor (Manage
presets, "Save current as preset…").
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QPalette, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.models import ModelInfo
from chatdesk.core.presets import (
    PARAMETERS,
    REASONING_EFFORTS,
    ModelParameters,
    Preset,
    ProviderRouting,
    approval_server,
    unsupported_parameters,
)
from chatdesk.ui.shell.model_picker import ModelPicker

#: Approval choices shown for a server: (value, label); None keeps the servers file's policy.
APPROVAL_CHOICES: tuple[tuple[str | None, str], ...] = (
    (None, "As configured"),
    ("ask", "Ask every time"),
    ("allow_read_only", "Allow read-only tools"),
    ("allow_all", "Allow all tools"),
)
_STEPS = {"temperature": 0.05, "top_p": 0.05, "repetition_penalty": 0.05}
_HINTS = {
    "temperature": "0–2 · higher is more varied",
    "top_p": "0–1 · nucleus sampling",
    "top_k": "0 or more · 0 disables",
    "max_tokens": "longest answer, in tokens",
    "frequency_penalty": "−2–2 · discourages repeats by frequency",
    "presence_penalty": "−2–2 · discourages repeated topics",
    "repetition_penalty": "0–2 · 1 is neutral",
    "seed": "same seed, same answer (when the model supports it)",
    "reasoning_effort": "how hard a reasoning model thinks",
}


def _choice_combo(parent: QWidget, choices: Sequence[tuple[object, str]]) -> QComboBox:
    combo = QComboBox(parent)
    for value, label in choices:
        combo.addItem(label, value)
    return combo


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    combo.setCurrentIndex(max(index, 0))


def _slugs(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


class ModelSettingsPanel(QWidget):
    """Edits a preset's settings; ``preset(name)`` reads them back."""

    changed = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        models: Sequence[ModelInfo] = (),
        servers: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("modelSettingsPanel")
        self._models: dict[str, ModelInfo] = {}
        self._servers: list[str] = list(servers)
        self._hidden_prices: dict[str, float] = {}
        self._hidden_approvals: dict[str, str] = {}  # per-tool entries (kept, not shown)
        self.checks: dict[str, QCheckBox] = {}
        self.editors: dict[str, QWidget] = {}
        self.notes: dict[str, QLabel] = {}

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._model_tab(), "&Model")
        self.tabs.addTab(self._routing_tab(), "&Routing")
        self.tabs.addTab(self._prompt_tab(), "&Prompt")
        self.tabs.addTab(self._tools_tab(), "&Tools")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.set_models(models)
        self.set_servers(servers)

    # -- construction --------------------------------------------------------------------

    def _model_tab(self) -> QWidget:
        tab = QWidget(self)
        self.model_picker = ModelPicker(tab)
        self.model_picker.setObjectName("presetModel")
        line = self.model_picker.lineEdit()
        assert line is not None
        line.setPlaceholderText("empty: keep the model chosen in the toolbar")
        self.model_picker.editTextChanged.connect(self._model_changed)
        self.model_picker.modelChosen.connect(self._model_changed)
        self.support_label = QLabel("", tab)
        self.support_label.setObjectName("supportLabel")
        self.support_label.setWordWrap(True)
        grid = QGridLayout()
        grid.setColumnStretch(2, 1)
        for row, name in enumerate(PARAMETERS):
            self._parameter_row(tab, grid, row, name)
        form = QVBoxLayout(tab)
        top = QFormLayout()
        top.addRow("Model", self.model_picker)
        form.addLayout(top)
        form.addWidget(self.support_label)
        form.addLayout(grid)
        form.addStretch(1)
        return tab

    def _parameter_row(self, tab: QWidget, grid: QGridLayout, row: int, name: str) -> None:
        spec = PARAMETERS[name]
        check = QCheckBox(spec.label, tab)
        check.setObjectName(f"set_{name}")
        editor: QWidget
        if name == "reasoning_effort":
            editor = _choice_combo(tab, [(e, e) for e in REASONING_EFFORTS])
            _select(editor, "medium")
            editor.currentIndexChanged.connect(self.changed)
        elif name == "seed":
            editor = QLineEdit("0", tab)
            editor.setValidator(QRegularExpressionValidator(QRegularExpression(r"-?\d{0,19}")))
            editor.textChanged.connect(self.changed)
        elif spec.integer:
            editor = QSpinBox(tab)
            editor.setRange(int(spec.low or 0), 2_000_000_000)
            editor.setValue(4096 if name == "max_tokens" else 40)
            editor.valueChanged.connect(self.changed)
        else:
            editor = QDoubleSpinBox(tab)
            editor.setDecimals(3)
            editor.setRange(float(spec.low or 0), float(spec.high or 0))
            editor.setSingleStep(_STEPS.get(name, 0.1))
            editor.setValue(1.0 if name in ("temperature", "top_p", "repetition_penalty") else 0)
            editor.valueChanged.connect(self.changed)
        if isinstance(editor, QAbstractSpinBox):
            editor.setKeyboardTracking(False)
        editor.setObjectName(f"param_{name}")
        editor.setAccessibleName(spec.label)
        editor.setEnabled(False)
        note = QLabel(_HINTS[name], tab)
        note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        check.toggled.connect(lambda on, n=name: self._toggled(n, on))
        grid.addWidget(check, row, 0)
        grid.addWidget(editor, row, 1)
        grid.addWidget(note, row, 2)
        self.checks[name], self.editors[name], self.notes[name] = check, editor, note

    def _routing_tab(self) -> QWidget:
        tab = QWidget(self)
        form = QFormLayout(tab)
        intro = QLabel(
            "OpenRouter only: which providers serve the model. Provider names are separated "
            "by commas, e.g. <i>openai, azure</i>.",
            tab,
        )
        intro.setWordWrap(True)
        form.addRow(intro)
        self.order_edit = QLineEdit(tab)
        self.order_edit.setObjectName("routingOrder")
        self.only_edit = QLineEdit(tab)
        self.only_edit.setObjectName("routingOnly")
        self.ignore_edit = QLineEdit(tab)
        self.ignore_edit.setObjectName("routingIgnore")
        for edit in (self.order_edit, self.only_edit, self.ignore_edit):
            edit.textChanged.connect(self.changed)
        self.fallbacks = _choice_combo(tab, [(None, "Default (yes)"), (True, "Yes"), (False, "No")])
        self.fallbacks.setObjectName("routingFallbacks")
        self.data_collection = _choice_combo(
            tab, [(None, "Default (allow)"), ("allow", "Allow"), ("deny", "Deny")]
        )
        self.data_collection.setObjectName("routingDataCollection")
        sorts = [(None, "Default (balanced)"), ("price", "Price"), ("throughput", "Throughput")]
        self.sort = _choice_combo(tab, [*sorts, ("latency", "Latency")])
        self.sort.setObjectName("routingSort")
        self.price_checks: dict[str, QCheckBox] = {}
        self.price_edits: dict[str, QDoubleSpinBox] = {}
        form.addRow("Try providers in this order", self.order_edit)
        form.addRow("Use only", self.only_edit)
        form.addRow("Never use", self.ignore_edit)
        form.addRow("Fall back to other providers", self.fallbacks)
        form.addRow("Providers that store prompts", self.data_collection)
        form.addRow("Prefer", self.sort)
        for key, label in (("prompt", "Max prompt price"), ("completion", "Max answer price")):
            check = QCheckBox(label, tab)
            spin = QDoubleSpinBox(tab)
            spin.setObjectName(f"maxPrice_{key}")
            spin.setDecimals(3)
            spin.setRange(0, 10_000)
            spin.setSuffix(" $ per M tokens")
            spin.setEnabled(False)
            check.toggled.connect(spin.setEnabled)
            self.price_checks[key], self.price_edits[key] = check, spin
            form.addRow(check, spin)
        return tab

    def _prompt_tab(self) -> QWidget:
        tab = QWidget(self)
        self.system_prompt = QPlainTextEdit(tab)
        self.system_prompt.setObjectName("presetSystemPrompt")
        self.system_prompt.setAccessibleName("System prompt")
        self.system_prompt.setPlaceholderText("Empty: the system prompt from Settings is used.")
        self.system_prompt.setTabChangesFocus(True)
        layout = QVBoxLayout(tab)
        layout.addWidget(QLabel("System prompt, sent at the start of every chat", tab))
        layout.addWidget(self.system_prompt)
        return tab

    def _tools_tab(self) -> QWidget:
        tab = QWidget(self)
        self.server_table = QTableWidget(0, 2, tab)
        self.server_table.setObjectName("presetServers")
        self.server_table.setHorizontalHeaderLabels(["MCP server (tools offered)", "Approval"])
        header = self.server_table.horizontalHeader()
        header.setStretchLastSection(True)
        header.resizeSection(0, 260)
        self.server_table.verticalHeader().hide()
        layout = QVBoxLayout(tab)
        hint = QLabel("Only the tools of the checked servers are offered to the model.", tab)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.server_table)
        return tab

    # -- catalogue and servers -----------------------------------------------------------

    def set_models(self, models: Sequence[ModelInfo]) -> None:
        """The catalogue: fills the model list and decides what is greyed out."""
        self._models = {m.id: m for m in models}
        text = self.model_picker.currentText()
        self.model_picker.set_models(models)
        self.model_picker.set_current(text)
        self._refresh_support()

    def set_servers(self, server_ids: Sequence[str]) -> None:
        """The configured MCP server ids (a preset's unknown ones are shown too)."""
        self._servers = list(server_ids)
        selected, approvals = self._server_values()
        self._fill_servers(selected, approvals)

    def _fill_servers(self, selected: frozenset[str], approvals: dict[str, str]) -> None:
        ids = self._servers + sorted(selected - set(self._servers))
        table = self.server_table
        table.setRowCount(len(ids))
        for row, server_id in enumerate(ids):
            label = server_id if server_id in self._servers else f"{server_id} (not configured)"
            item = QTableWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, server_id)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            checked = Qt.CheckState.Checked if server_id in selected else Qt.CheckState.Unchecked
            item.setCheckState(checked)
            table.setItem(row, 0, item)
            combo = _choice_combo(table, APPROVAL_CHOICES)
            combo.setObjectName(f"approval_{server_id}")
            _select(combo, approvals.get(server_id))
            table.setCellWidget(row, 1, combo)

    def _server_values(self) -> tuple[frozenset[str], dict[str, str]]:
        selected: set[str] = set()
        approvals: dict[str, str] = {}
        for row in range(self.server_table.rowCount()):
            item = self.server_table.item(row, 0)
            combo = self.server_table.cellWidget(row, 1)
            if item is None:
                continue
            server_id = str(item.data(Qt.ItemDataRole.UserRole))
            if item.checkState() == Qt.CheckState.Checked:
                selected.add(server_id)
                if isinstance(combo, QComboBox) and combo.currentData() is not None:
                    approvals[server_id] = str(combo.currentData())
        return frozenset(selected), approvals

    # -- values --------------------------------------------------------------------------

    def set_preset(self, preset: Preset) -> None:
        """Show ``preset``'s settings (its name is not part of this panel)."""
        self.model_picker.set_current(preset.model or "")
        values = preset.parameters.as_dict()
        for name, check in self.checks.items():
            value = values.get(name)
            check.setChecked(value is not None)
            if value is not None:
                self._set_editor(name, value)
        routing = preset.routing
        self.order_edit.setText(", ".join(routing.order))
        self.only_edit.setText(", ".join(routing.only))
        self.ignore_edit.setText(", ".join(routing.ignore))
        _select(self.fallbacks, routing.allow_fallbacks)
        _select(self.data_collection, routing.data_collection)
        _select(self.sort, routing.sort)
        for key, check in self.price_checks.items():
            price = routing.max_price.get(key)
            check.setChecked(price is not None)
            self.price_edits[key].setValue(float(price or 0))
        self._hidden_prices = {
            k: v for k, v in routing.max_price.items() if k not in self.price_checks
        }
        self.system_prompt.setPlainText(preset.system_prompt)
        shown = set(self._servers) | preset.mcp_servers
        self._hidden_approvals = {k: v for k, v in preset.tool_approvals.items() if k not in shown}
        self._fill_servers(preset.mcp_servers, dict(preset.tool_approvals))
        self._refresh_support()

    def _set_editor(self, name: str, value: object) -> None:
        editor = self.editors[name]
        if isinstance(editor, QComboBox):
            _select(editor, value)
        elif isinstance(editor, QLineEdit):
            editor.setText(str(value))
        elif isinstance(editor, QSpinBox) and isinstance(value, int):
            editor.setValue(value)
        elif isinstance(editor, QDoubleSpinBox) and isinstance(value, int | float):
            editor.setValue(float(value))

    def preset(self, name: str) -> Preset:
        """A preset named ``name`` with the panel's settings (not yet validated)."""
        values: dict[str, object] = {}
        for param, check in self.checks.items():
            if not check.isChecked():
                continue
            editor = self.editors[param]
            if isinstance(editor, QComboBox):
                values[param] = editor.currentData()
            elif isinstance(editor, QLineEdit):
                text = editor.text().strip()
                values[param] = int(text) if text.lstrip("-").isdigit() else text
            elif isinstance(editor, QSpinBox | QDoubleSpinBox):
                values[param] = editor.value()
        prices = dict(self._hidden_prices)
        for key, check in self.price_checks.items():
            if check.isChecked():
                prices[key] = self.price_edits[key].value()
        selected, approvals = self._server_values()
        for key, policy in self._hidden_approvals.items():
            if approval_server(key, selected) is not None:
                approvals[key] = policy
        model = self.model_picker.currentText().strip()
        return Preset(
            name=name,
            model=model or None,
            parameters=ModelParameters(**values),  # type: ignore[arg-type]
            routing=ProviderRouting(
                order=_slugs(self.order_edit.text()),
                only=_slugs(self.only_edit.text()),
                ignore=_slugs(self.ignore_edit.text()),
                allow_fallbacks=self.fallbacks.currentData(),
                data_collection=self.data_collection.currentData(),
                sort=self.sort.currentData(),
                max_price=prices,
            ),
            system_prompt=self.system_prompt.toPlainText(),
            mcp_servers=selected,
            tool_approvals=approvals,
        )

    # -- support ------------------------------------------------------------------------

    def unsupported(self) -> dict[str, str]:
        """Parameter -> why the chosen model does not get it."""
        model = self.model_picker.currentText().strip()
        return unsupported_parameters(self._models.get(model))

    def _model_changed(self, _text: str) -> None:
        self._refresh_support()
        self.changed.emit()

    def _toggled(self, name: str, on: bool) -> None:
        self.editors[name].setEnabled(on and name not in self.unsupported())
        self.changed.emit()

    def _refresh_support(self) -> None:
        unsupported = self.unsupported()
        model = self.model_picker.currentText().strip()
        for name, check in self.checks.items():
            reason = unsupported.get(name)
            check.setEnabled(reason is None)
            self.editors[name].setEnabled(reason is None and check.isChecked())
            tip = reason or PARAMETERS[name].label
            for widget in (check, self.editors[name], self.notes[name]):
                widget.setToolTip(tip)
            self.notes[name].setText(f"not supported by {model}" if reason else _HINTS[name])
        if not model:
            text = "The parameters apply to whichever model is chosen when the preset is used."
        elif model not in self._models:
            text = (
                f"{model} is not in the model list, so chatdesk cannot tell which parameters it "
                "supports: all that are set are sent."
            )
        elif unsupported:
            text = (
                f"Greyed out: {model} does not support them, so they are not sent "
                "(the values are kept for other models)."
            )
        else:
            text = ""
        self.support_label.setText(text)
        self.support_label.setVisible(bool(text))
