"""ModelCatalogue: the provider's model list, loaded once and shared by the core and the UI.

The orchestrator asks it for a model's limits (context length, what inputs it takes); the
chat controller shows its list in the model picker. Listeners are plain callbacks, so there is
no Qt here; nor is asyncio imported at start (the window paints before asyncio is loaded).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol, cast

from chatdesk.core.models import ModelInfo

log = logging.getLogger(__name__)


class ModelSource(Protocol):
    """Where the list comes from (``ChatProvider.list_models``: cached on disk, stale offline)."""

    async def list_models(self, *, refresh: bool = False) -> list[ModelInfo]: ...


#: Called with the new list (sorted by id) each time it is loaded.
ModelsListener = Callable[[list[ModelInfo]], None]


class ModelCatalogue:
    """The known models, sorted by id; empty until the first :meth:`load`.

    ``source`` is the provider, or a function giving it on first use (the provider is built
    after the first paint, the catalogue before).
    """

    def __init__(self, source: ModelSource | Callable[[], ModelSource]) -> None:
        self._source = source
        self._models: list[ModelInfo] = []
        self._by_id: dict[str, ModelInfo] = {}
        self._listeners: list[ModelsListener] = []
        self._loaded = False

    @property
    def models(self) -> list[ModelInfo]:
        """The models, sorted by id (do not change the list)."""
        return self._models

    @property
    def loaded(self) -> bool:
        """True once a load has given a list (even an empty one)."""
        return self._loaded

    def info(self, model_id: str) -> ModelInfo | None:
        """The entry of ``model_id`` (None when unknown or not loaded yet)."""
        return self._by_id.get(model_id)

    def subscribe(self, listener: ModelsListener) -> Callable[[], None]:
        """Call ``listener`` after each load; returns a function that unsubscribes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    async def load(self, *, refresh: bool = False) -> list[ModelInfo]:
        """Load the list (``refresh``: ask the server instead of the cache) and tell the
        listeners. Raises the source's ``ChatdeskError``; the previous list is kept then."""
        models = await self._resolve().list_models(refresh=refresh)
        self.replace(models)
        return self._models

    def _resolve(self) -> ModelSource:
        source = self._source
        if hasattr(source, "list_models"):
            return cast(ModelSource, source)
        return source()

    def replace(self, models: list[ModelInfo]) -> None:
        """Use ``models`` as the catalogue and tell the listeners."""
        self._models = sorted(models, key=lambda m: m.id)
        self._by_id = {m.id: m for m in self._models}
        self._loaded = True
        for listener in list(self._listeners):
            listener(self._models)
