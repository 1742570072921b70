"""AppContext: what every flow reads — the data folder, the settings, the secrets, the theme."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chatdesk.secrets import SecretStore
from chatdesk.settings import OPENROUTER_BASE_URL, Settings, SettingsStore


@dataclass
class AppContext:
    """The run's shared state; ``settings`` is replaced when the user saves new ones."""

    data_dir: Path
    settings_store: SettingsStore
    settings: Settings
    secrets: SecretStore
    #: Whether the applied theme is dark (the chat's colours and render cache follow it).
    dark: bool = False

    def is_openrouter(self) -> bool:
        """Whether the provider is OpenRouter itself (not an OpenAI-compatible server)."""
        return self.settings.openrouter_base_url.rstrip("/") == OPENROUTER_BASE_URL

    def needs_key(self) -> bool:
        """The welcome panel shows when OpenRouter is used and no key is configured."""
        return self.is_openrouter() and not self.secrets.get("openrouter")
