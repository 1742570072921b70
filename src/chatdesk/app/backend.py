"""Backend: the provider and the orchestrator, built on first use (after the first paint)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chatdesk import paths
from chatdesk.app.context import AppContext

if TYPE_CHECKING:
    from chatdesk.attachments.service import AttachmentService
    from chatdesk.core.models import ModelInfo
    from chatdesk.core.orchestrator import ChatOrchestrator
    from chatdesk.core.ports import ToolHost
    from chatdesk.providers.openrouter import OpenRouterClient
    from chatdesk.storage.repository import ChatRepository


class Backend:
    """Builds the OpenRouter client and the orchestrator; owns the client until shutdown."""

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self.provider: OpenRouterClient | None = None  # built on first use

    def client(self) -> OpenRouterClient:
        """The OpenRouter (or compatible) client, built on first use: importing the HTTP
        stack (httpx, ssl) costs ~40 ms and ~11 MB, which the first paint does not need."""
        if self.provider is None:
            from chatdesk.providers.openrouter import OpenRouterClient

            settings, secrets = self._ctx.settings, self._ctx.secrets
            self.provider = OpenRouterClient(
                settings.openrouter_base_url,
                lambda: secrets.get("openrouter"),
                read_timeout=settings.request_timeout_s,
                models_cache=paths.cache_dir(self._ctx.data_dir) / "models.json",
                models_ttl_s=settings.models_cache_ttl_s,
            )
        return self.provider

    def build(
        self,
        repository: ChatRepository,
        attachments: AttachmentService | None,
        tools: ToolHost,
        model_info: Callable[[str], ModelInfo | None],
    ) -> tuple[ChatOrchestrator, OpenRouterClient]:
        """The provider and the orchestrator over it, built on first use (after the first
        paint)."""
        from chatdesk.core.orchestrator import ChatOrchestrator

        provider = self.client()
        orchestrator = ChatOrchestrator(
            repository,
            provider,
            model_info=model_info,
            attachments=attachments,
            tools=tools,
        )
        return orchestrator, provider

    def set_base_url(self, base_url: str) -> None:
        """Point the client (once built) at another server."""
        if self.provider is not None:
            self.provider.set_base_url(base_url)

    async def aclose(self) -> None:
        if self.provider is not None:
            await self.provider.aclose()
