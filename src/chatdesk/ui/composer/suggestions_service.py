"""SuggestionsService: the suggestions (``suggestions.json``) changed in the background.

The ``StoreService`` pattern: the dialog calls ``add``/``update``/``delete``/``move``; the
``SuggestionStore`` writes the file in a worker thread; ``changed`` brings the new list,
``saved`` the suggestion just stored, ``failed`` what was wrong with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from chatdesk.core.suggestions import Suggestion, SuggestionError
from chatdesk.ui.kit.store_service import StoreService
from chatdesk.ui.kit.task_runner import TaskRunner

if TYPE_CHECKING:
    from chatdesk.storage.suggestions import SuggestionStore


class SuggestionsService(StoreService):
    """Loads and changes the suggestions off the UI thread; the list comes back by signal."""

    changed = Signal(object)  # list[Suggestion], in order
    saved = Signal(object)  # the Suggestion just added or edited

    def __init__(
        self, store: SuggestionStore, runner: TaskRunner, parent: QObject | None = None
    ) -> None:
        super().__init__(runner, parent)
        self._store = store

    @property
    def suggestions(self) -> list[Suggestion]:
        """The suggestions in their order (a copy)."""
        return self._store.suggestions

    @property
    def problems(self) -> list[str]:
        """What went wrong while loading, in words fit for the user."""
        return self._store.problems

    async def load(self) -> list[Suggestion]:
        """Read the file (the shipped defaults on first run) off the loop; never raises."""
        return await self.off_loop(self._store.load)

    def add(self, title: str, text: str) -> None:
        self._spawn(self._change(self._store.add, title, text), "suggestion-add")

    def update(self, suggestion_id: str, title: str, text: str) -> None:
        self._spawn(self._change(self._store.update, suggestion_id, title, text), "suggestion")

    def delete(self, suggestion_id: str) -> None:
        self._spawn(self._change(self._store.delete, suggestion_id), "suggestion-delete")

    def move(self, suggestion_id: str, offset: int) -> None:
        self._spawn(self._change(self._store.move, suggestion_id, offset), "suggestion-move")

    async def _change(self, call: Callable[..., object], *args: Any) -> None:
        try:
            result = await self.off_loop(call, *args)
        except SuggestionError as exc:
            self.failed.emit(exc.user_message)
            return
        self.changed.emit(self._store.suggestions)
        if isinstance(result, Suggestion):
            self.saved.emit(result)
