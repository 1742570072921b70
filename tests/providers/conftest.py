"""Fixtures for the provider tests: the fake server and clients pointed at it."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from chatdesk.providers.openrouter import OpenRouterClient
from fakes.openrouter import FakeOpenRouter, fake_openrouter

__all__ = ["fake_openrouter"]

API_KEY = "sk-or-v1-test-0123456789"


class SleepRecorder:
    """An injected ``sleep`` that records the delays and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.calls.append(delay)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


ClientFactory = Callable[..., OpenRouterClient]


@pytest.fixture
async def make_client(
    fake_openrouter: FakeOpenRouter, sleeps: SleepRecorder
) -> AsyncIterator[ClientFactory]:
    """Build clients for the fake (OpenRouter dialect, no real sleeping); closed afterwards."""
    clients: list[OpenRouterClient] = []

    def make(**kwargs: Any) -> OpenRouterClient:
        kwargs.setdefault("sleep", sleeps)
        kwargs.setdefault("rng", random.Random(7))
        kwargs.setdefault("openrouter", True)
        base_url = kwargs.pop("base_url", fake_openrouter.base_url)
        api_key = kwargs.pop("api_key", API_KEY)
        client = OpenRouterClient(base_url, api_key, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
async def client(make_client: ClientFactory) -> OpenRouterClient:
    return make_client()
