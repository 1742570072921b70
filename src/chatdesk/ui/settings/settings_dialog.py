"""Settings dialog (Ctrl+,): API key, base URL, default model, system prompt, theme."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from chatdesk.settings import OPENROUTER_BASE_URL, Settings

THEMES = (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark"))


class SettingsDialog(QDialog):
    """Edits a copy of the settings; the caller reads ``result_settings`` and ``new_key``."""

    testKeyRequested = Signal(str, str)  # key (empty = the stored one), base URL
    forgetKeyRequested = Signal()

    def __init__(
        self,
        settings: Settings,
        *,
        key_source: str | None,
        overridden: Mapping[str, str],
        keyring_problem: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(560)
        self._settings = settings

        self.key_edit = QLineEdit(self)
        self.key_edit.setObjectName("apiKeyEdit")
        self.key_edit.setAccessibleName("OpenRouter API key")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setClearButtonEnabled(True)
        if key_source == "environment":
            self.key_edit.setPlaceholderText("Set by OPENROUTER_API_KEY (environment)")
            self.key_edit.setEnabled(False)
        elif key_source == "keyring":
            self.key_edit.setPlaceholderText("•••••••• stored in the system keyring")
        else:
            self.key_edit.setPlaceholderText("sk-or-v1-…")
        self.test_button = QPushButton("Test key", self)
        self.test_button.setObjectName("testKeyButton")
        self.forget_button = QPushButton("Forget", self)
        self.forget_button.setToolTip("Remove the key from the system keyring")
        self.forget_button.setEnabled(key_source == "keyring")
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.test_button)
        key_row.addWidget(self.forget_button)
        self.key_status = QLabel(self)
        self.key_status.setObjectName("keyStatus")
        self.key_status.setWordWrap(True)
        self.key_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if keyring_problem and key_source != "environment":
            self.key_status.setText(f"⚠ {keyring_problem}")

        self.base_url = QLineEdit(settings.openrouter_base_url, self)
        self.base_url.setObjectName("baseUrlEdit")
        self.base_url.setPlaceholderText(OPENROUTER_BASE_URL)
        self.base_url.setToolTip(
            "OpenRouter, or any OpenAI-compatible server, e.g. http://localhost:11434/v1 (Ollama)"
        )
        self.default_model = QLineEdit(settings.default_model, self)
        self.default_model.setObjectName("defaultModelEdit")
        self.system_prompt = QPlainTextEdit(settings.system_prompt, self)
        self.system_prompt.setObjectName("systemPromptEdit")
        self.system_prompt.setPlaceholderText(
            "Optional instructions sent at the start of every chat"
        )
        self.system_prompt.setFixedHeight(110)
        self.theme = QComboBox(self)
        self.theme.setObjectName("themeCombo")
        for value, label in THEMES:
            self.theme.addItem(label, value)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))

        self.auto_compact = QComboBox(self)
        self.auto_compact.setObjectName("autoCompactCombo")
        self.auto_compact.setToolTip(
            "When a chat fills this share of the model's context, its earlier messages are\n"
            "summarised by themselves (they stay stored; Chat ▸ Summarise does it by hand)."
        )
        levels = sorted({0, 70, 80, 90, settings.auto_compact_percent})
        for level in levels:
            label = "Off" if level == 0 else f"At {level}% of the model's context"
            self.auto_compact.addItem(label, level)
        self.auto_compact.setCurrentIndex(levels.index(settings.auto_compact_percent))

        self.backups_keep = QSpinBox(self)
        self.backups_keep.setObjectName("backupsKeepSpin")
        self.backups_keep.setRange(1, 365)
        self.backups_keep.setValue(settings.backups_keep)
        self.backups_keep.setSuffix(" backups")
        self.backups_keep.setToolTip("A backup of the chats is made each day; older ones go.")
        self.backups_gcs = QCheckBox("Also copy them to my Google Cloud Storage bucket", self)
        self.backups_gcs.setObjectName("backupsGcsCheck")
        self.backups_gcs.setChecked(settings.backups_to_gcs)
        has_bucket = bool(settings.attachments_gcs_bucket)
        self.backups_gcs.setEnabled(has_bucket or settings.backups_to_gcs)
        if not has_bucket:
            self.backups_gcs.setToolTip("Set the attachment bucket first (attachments_gcs_bucket).")
        self.close_to_tray = QCheckBox("Keep running in the tray when the window is closed", self)
        self.close_to_tray.setObjectName("closeToTrayCheck")
        self.close_to_tray.setChecked(settings.close_to_tray)
        if not QSystemTrayIcon.isSystemTrayAvailable():
            self.close_to_tray.setEnabled(settings.close_to_tray)
            self.close_to_tray.setToolTip("This desktop shows no tray icons.")
        backups_row = QHBoxLayout()
        backups_row.addWidget(self.backups_keep)
        backups_row.addWidget(self.backups_gcs, 1)

        for field, widget in (
            ("openrouter_base_url", self.base_url),
            ("default_model", self.default_model),
            ("system_prompt", self.system_prompt),
        ):
            if field in overridden:
                widget.setEnabled(False)
                widget.setToolTip(f"Set by the environment variable {overridden[field]}")

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("OpenRouter API key", key_row)
        form.addRow("", self.key_status)
        form.addRow("API base URL", self.base_url)
        form.addRow("Default model", self.default_model)
        form.addRow("System prompt", self.system_prompt)
        form.addRow("Theme", self.theme)
        form.addRow("Summarise long chats", self.auto_compact)
        form.addRow("Keep", backups_row)
        form.addRow("Window", self.close_to_tray)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.error = QLabel(self)
        self.error.setObjectName("settingsError")
        self.error.setStyleSheet("color: palette(highlight);")
        self.error.setWordWrap(True)
        self.error.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        self.test_button.clicked.connect(
            lambda: self._request_test(self.key_edit.text().strip(), self.base_url.text().strip())
        )
        self.forget_button.clicked.connect(self._forget)
        self.result_settings: Settings | None = None
        self.new_key: str | None = None

    def _request_test(self, key: str, base_url: str) -> None:
        self.key_status.setText("Checking the key…")
        self.test_button.setEnabled(False)
        self.testKeyRequested.emit(key, base_url)

    def show_test_result(self, ok: bool, text: str) -> None:
        """Shows what the Test key request found."""
        self.test_button.setEnabled(True)
        self.key_status.setText(("✓ " if ok else "✗ ") + text)

    def _forget(self) -> None:
        self.forgetKeyRequested.emit()
        self.forget_button.setEnabled(False)
        self.key_edit.setPlaceholderText("sk-or-v1-…")
        self.key_status.setText("The stored key was removed.")

    def _accept(self) -> None:
        try:
            updated = self._settings.replace(
                openrouter_base_url=self.base_url.text().strip() or OPENROUTER_BASE_URL,
                default_model=self.default_model.text().strip() or self._settings.default_model,
                system_prompt=self.system_prompt.toPlainText(),
                theme=str(self.theme.currentData()),
                auto_compact_percent=int(self.auto_compact.currentData()),
                backups_keep=self.backups_keep.value(),
                backups_to_gcs=self.backups_gcs.isChecked(),
                close_to_tray=self.close_to_tray.isChecked(),
            )
        except ValueError as exc:
            self.error.setText(f"Please check the values: {exc}")
            self.error.show()
            return
        self.result_settings = updated
        key = self.key_edit.text().strip()
        self.new_key = key or None
        self.accept()
