"""ModelCatalogue on plain asyncio, over the fake OpenRouter: load, lookup, listeners, errors."""

from __future__ import annotations

import pytest

from chatdesk.core.model_catalogue import ModelCatalogue
from chatdesk.core.models import ModelInfo
from chatdesk.errors import ChatdeskError, ProviderConnectionError
from chatdesk.providers.openrouter import OpenRouterClient
from fakes.openrouter import FakeOpenRouter


async def test_empty_until_loaded(provider: OpenRouterClient) -> None:
    catalogue = ModelCatalogue(provider)
    assert catalogue.models == []
    assert not catalogue.loaded
    assert catalogue.info("openai/gpt-4o-mini") is None


async def test_load_sorts_by_id_and_answers_info(
    provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    catalogue = ModelCatalogue(provider)
    models = await catalogue.load()
    ids = [m.id for m in models]
    assert ids == sorted(ids) and len(ids) == len(fake_openrouter.models)
    assert catalogue.loaded and catalogue.models is models
    info = catalogue.info("openai/gpt-4o-mini")
    assert info is not None and info.context_length == 128000
    assert catalogue.info("nobody/nothing") is None


async def test_listeners_hear_each_load_until_unsubscribed(provider: OpenRouterClient) -> None:
    catalogue = ModelCatalogue(provider)
    heard: list[list[ModelInfo]] = []
    unsubscribe = catalogue.subscribe(heard.append)
    await catalogue.load()
    await catalogue.load(refresh=True)
    unsubscribe()
    unsubscribe()  # twice is harmless
    await catalogue.load()
    assert len(heard) == 2 and heard[0] == heard[1] == catalogue.models


async def test_source_factory_is_asked_on_first_load(provider: OpenRouterClient) -> None:
    asked: list[int] = []

    def source() -> OpenRouterClient:
        asked.append(1)
        return provider

    catalogue = ModelCatalogue(source)
    assert asked == []
    await catalogue.load()
    assert asked == [1] and catalogue.models


class _Flaky:
    """The provider until ``broken``; then its errors (a provider with no cache to fall on)."""

    def __init__(self, provider: OpenRouterClient) -> None:
        self.provider = provider
        self.broken = False

    async def list_models(self, *, refresh: bool = False) -> list[ModelInfo]:
        if self.broken:
            raise ProviderConnectionError("offline")
        return await self.provider.list_models(refresh=refresh)


async def test_failed_load_raises_and_keeps_the_previous_list(provider: OpenRouterClient) -> None:
    source = _Flaky(provider)
    catalogue = ModelCatalogue(source)
    before = await catalogue.load()
    heard: list[list[ModelInfo]] = []
    catalogue.subscribe(heard.append)
    source.broken = True
    with pytest.raises(ChatdeskError):
        await catalogue.load(refresh=True)
    assert catalogue.models == before and heard == []
    assert catalogue.info(before[0].id) == before[0]


async def test_refresh_sees_a_new_model(
    provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    catalogue = ModelCatalogue(provider)
    await catalogue.load()
    fake_openrouter.models.append({**fake_openrouter.models[0], "id": "aaa/first"})
    await catalogue.load(refresh=True)
    assert catalogue.models[0].id == "aaa/first"
    assert catalogue.info("aaa/first") is not None
