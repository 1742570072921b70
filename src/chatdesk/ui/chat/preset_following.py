"""PresetFollowing: the open conversation's preset, mixed into ``ChatController``.

Applying a preset sets the model (when the catalogue has it) and the settings of the next
turns; the open conversation remembers it, and opening a conversation makes its preset the
active one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatdesk.core.models import Conversation, ModelInfo
    from chatdesk.core.presets import Preset
    from chatdesk.storage.repository import ChatRepository
    from chatdesk.ui.kit.task_runner import TaskRunner
    from chatdesk.ui.presets.preset_manager import PresetManager


class PresetFollowing:
    """The preset half of ``ChatController`` (which provides the attributes below)."""

    if TYPE_CHECKING:
        _presets: PresetManager | None
        _runner: TaskRunner
        preset: Preset | None
        conversation: Conversation | None
        model: str
        notice: Any
        presetApplied: Any
        presetChanged: Any
        modelMissing: Any

        @property
        def models(self) -> list[ModelInfo]: ...

        def set_model(self, model_id: str) -> None: ...

        async def db(self) -> ChatRepository: ...

    # -- presets -------------------------------------------------------------------------

    def apply_preset(self, preset_id: int) -> None:
        """Use a preset from the next turn on: its model (when the catalogue has it) and its
        settings. The open conversation remembers it at once; when its model is missing the
        current one is kept and ``modelMissing`` asks for the picker."""
        preset = self._presets.find(preset_id) if self._presets is not None else None
        if preset is None or preset.id is None:
            self.notice.emit("warning", "That preset no longer exists.")
            return
        from chatdesk.core.presets import apply_preset

        applied = apply_preset(preset, current_model=self.model, models=self.models)
        self.set_model(applied.model)
        self._set_preset(preset)
        conversation = self.conversation
        if conversation is not None:
            self.conversation = replace(conversation, model=applied.model, preset_id=preset.id)
            self._runner.spawn(self._remember_preset(conversation.id, applied.model, preset.id))
        self.presetApplied.emit(applied.message)
        if applied.missing_model:
            self.modelMissing.emit(applied.missing_model)

    async def _remember_preset(self, conversation_id: int, model: str, preset_id: int) -> None:
        repo = await self.db()
        await repo.set_conversation_model(conversation_id, model, preset_id)

    def _set_preset(self, preset: Preset | None) -> None:
        if preset != self.preset:
            self.preset = preset
            self.presetChanged.emit(preset)

    def _follow_conversation_preset(self) -> None:
        """The open conversation's preset becomes the active one (once presets are loaded)."""
        if self._presets is not None and self._presets.loaded and self.conversation is not None:
            self._set_preset(self._presets.find(self.conversation.preset_id))

    def _presets_changed(self, _presets: object) -> None:
        """Edits apply from the next turn; a deleted active preset falls back to none."""
        if self.conversation is not None:
            self._follow_conversation_preset()
        elif self.preset is not None and self._presets is not None:
            self._set_preset(self._presets.find(self.preset.id))
