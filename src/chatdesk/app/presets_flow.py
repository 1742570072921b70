"""PresetsFlow: presets and suggestions (loaded with the database), the next turn's settings,
and the Presets and Suggestions dialogs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chatdesk import paths
from chatdesk.app.context import AppContext
from chatdesk.app.flow import Flow
from chatdesk.core.models import TurnConfig
from chatdesk.ui.chat.chat_controller import ChatController
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.presets.preset_manager import PresetManager
from chatdesk.ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    from chatdesk.core.presets import Preset
    from chatdesk.storage.repository import ChatRepository
    from chatdesk.ui.composer.suggestions_service import SuggestionsService


class PresetsFlow(Flow):
    """Loads presets and suggestions after the first paint and opens their dialogs."""

    def __init__(
        self,
        ctx: AppContext,
        window: MainWindow,
        controller: ChatController,
        presets: PresetManager,
        runner: TaskRunner,
        *,
        server_ids: Callable[[], list[str]],
    ) -> None:
        super().__init__(ctx, window, controller, runner)
        self._presets = presets
        self._server_ids = server_ids
        self.suggestions: SuggestionsService | None = None  # made by load

    async def load(self, repository: ChatRepository) -> None:
        """Presets (seeded on first run) and suggestions; the open chat gets its preset back."""
        from chatdesk.storage.presets import SEED_MARKER, PresetStore, seed_first_run
        from chatdesk.storage.suggestions import FILE_NAME, SuggestionStore

        data_dir = self._ctx.data_dir
        presets = PresetStore(repository)
        await seed_first_run(presets, paths.defaults_dir() / "presets.json", data_dir / SEED_MARKER)
        self._presets.attach_store(presets)
        await self._presets.load()
        from chatdesk.ui.composer.suggestions_service import SuggestionsService

        store = SuggestionStore(data_dir / FILE_NAME, paths.defaults_dir() / "suggestions.json")
        self.suggestions = SuggestionsService(store, self._runner)
        self._window.set_suggestions(await self.suggestions.load())
        self.suggestions.changed.connect(self._window.set_suggestions)
        if self.suggestions.problems:
            self._window.notify("warning", " ".join(self.suggestions.problems))

    def turn_config(self, model: str) -> TurnConfig:
        """The next turn's settings: the active preset's (unsupported parameters left out)
        over the defaults from Settings."""
        from chatdesk.core.presets import TurnDefaults, turn_config

        settings = self._ctx.settings
        defaults = TurnDefaults(
            system_prompt=settings.system_prompt,
            title_model=settings.title_model,
            generate_titles=settings.generate_titles,
        )
        info = self._controller.model_info(model)
        return turn_config(self._controller.preset, model, info, defaults)

    def current_preset(self) -> Preset:
        """The settings in use now, as an unsaved preset."""
        from chatdesk.core.presets import TurnDefaults, snapshot

        return snapshot(
            self._controller.preset,
            model=self._controller.model,
            defaults=TurnDefaults(system_prompt=self._ctx.settings.system_prompt),
            taken=self._presets.names(),
        )

    def save_current(self) -> None:
        """Presets › Save current as preset…"""
        from chatdesk.ui.presets.preset_editor_dialog import open_save_current

        open_save_current(
            self._presets,
            self.current_preset(),
            models=self._controller.models,
            servers=self._server_ids(),
            parent=self._window,
        )

    def manage_presets(self) -> None:
        """Presets › Manage presets…"""
        from chatdesk.ui.presets.presets_dialog import PresetsDialog

        dialog = PresetsDialog(
            self._presets,
            models=self._controller.models,
            servers=self._server_ids(),
            parent=self._window,
        )
        self._window.open_dialog(dialog)

    def manage_suggestions(self) -> None:
        """Tools › Suggestions…, or "Edit suggestions…" under the chips."""
        from chatdesk.ui.composer.suggestions_dialog import SuggestionsDialog

        if self.suggestions is not None:
            self._window.open_dialog(SuggestionsDialog(self.suggestions, parent=self._window))
