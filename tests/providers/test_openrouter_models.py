"""Model catalogue (parsing, disk cache with TTL, stale when offline) and the key check."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chatdesk.core.models import ModelInfo
from chatdesk.errors import AuthenticationError, NoProviderError, ProviderConnectionError
from chatdesk.providers.openrouter import KeyInfo, OpenRouterClient
from fakes.clock import FakeClock
from fakes.openrouter import FakeOpenRouter, Reply

ClientFactory = Callable[..., OpenRouterClient]


@pytest.fixture
def cache_path(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "models.json"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def models_requests(fake: FakeOpenRouter) -> int:
    return len(fake.requests_to("/models"))


async def test_openrouter_catalogue_is_parsed(client: OpenRouterClient) -> None:
    models = await client.list_models()
    assert models[0] == ModelInfo(
        id="openai/gpt-4o-mini",
        name="OpenAI: GPT-4o-mini",
        context_length=128000,
        max_completion_tokens=16384,
        input_modalities=("text", "image", "file"),
        output_modalities=("text",),
        prompt_price=0.00000015,
        completion_price=0.0000006,
        supported_parameters=("max_tokens", "temperature", "tools", "tool_choice", "seed"),
    )
    assert models[1].id == "deepseek/deepseek-r1:free"
    assert models[1].prompt_price == 0.0
    assert models[1].max_completion_tokens is None


async def test_minimal_openai_and_ollama_shapes(
    fake_openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fake_openrouter.enqueue(
        Reply.json(
            {
                "object": "list",
                "data": [
                    {"id": "llama3.2:latest", "object": "model", "owned_by": "library"},
                    {"id": "odd", "pricing": {"prompt": "-1", "completion": "n/a"}},
                    {"object": "model"},
                ],
            }
        ),
        path="/models",
    )
    models = await client.list_models()
    assert models == [
        ModelInfo(id="llama3.2:latest", name="llama3.2:latest"),
        ModelInfo(id="odd", name="odd"),
    ]


async def test_fresh_cache_answers_without_a_request(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory, cache_path: Path
) -> None:
    clock = FakeClock()
    first = make_client(models_cache=cache_path, clock=clock, models_ttl_s=3600)
    models = await first.list_models()
    assert models_requests(fake_openrouter) == 1
    clock.now += 3000
    assert await first.list_models() == models
    # A new client (next app start) reads the cache from disk.
    second = make_client(models_cache=cache_path, clock=clock, models_ttl_s=3600)
    assert await second.list_models() == models
    assert models_requests(fake_openrouter) == 1
    saved = read_json(cache_path)
    assert saved["fetched_at"] == 1_800_000_000.0
    assert saved["base_url"] == fake_openrouter.base_url
    assert [p.name for p in cache_path.parent.iterdir()] == ["models.json"]  # no temp files


async def test_stale_cache_is_refreshed(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory, cache_path: Path
) -> None:
    clock = FakeClock()
    client = make_client(models_cache=cache_path, clock=clock, models_ttl_s=60)
    await client.list_models()
    fake_openrouter.models = [{"id": "new/model", "name": "New"}]
    clock.now += 61
    assert [m.id for m in await client.list_models()] == ["new/model"]
    assert models_requests(fake_openrouter) == 2
    assert read_json(cache_path)["fetched_at"] == clock.now


async def test_refresh_forces_a_request(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory, cache_path: Path
) -> None:
    client = make_client(models_cache=cache_path, clock=FakeClock())
    await client.list_models()
    await client.list_models(refresh=True)
    assert models_requests(fake_openrouter) == 2


async def test_stale_cache_is_served_when_offline(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory, cache_path: Path
) -> None:
    clock = FakeClock()
    client = make_client(models_cache=cache_path, clock=clock, models_ttl_s=60)
    models = await client.list_models()
    clock.now += 10_000
    fake_openrouter.close()  # offline: the port is closed now
    offline = make_client(models_cache=cache_path, clock=clock, models_ttl_s=60)
    assert await offline.list_models() == models
    assert await offline.list_models(refresh=True) == models


async def test_stale_cache_is_served_on_server_errors(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory, cache_path: Path
) -> None:
    clock = FakeClock()
    client = make_client(models_cache=cache_path, clock=clock, max_attempts=1)
    models = await client.list_models()
    fake_openrouter.enqueue(Reply.error(503), path="/models")
    assert await client.list_models(refresh=True) == models


async def test_failure_without_cache_raises_the_typed_error(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory, cache_path: Path
) -> None:
    client = make_client(models_cache=cache_path, max_attempts=1)
    fake_openrouter.enqueue(Reply.error(503, "nobody home"), path="/models")
    with pytest.raises(NoProviderError, match="nobody home"):
        await client.list_models()
    fake_openrouter.close()
    with pytest.raises(ProviderConnectionError):
        await client.list_models()


async def test_unreadable_or_foreign_cache_is_ignored(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory, cache_path: Path
) -> None:
    write_text(cache_path, "{not json")
    client = make_client(models_cache=cache_path, clock=FakeClock())
    assert len(await client.list_models()) == 2
    other = make_client(
        base_url=fake_openrouter.base_url + "/", models_cache=cache_path, clock=FakeClock()
    )
    assert len(await other.list_models()) == 2  # same base URL after normalising
    assert models_requests(fake_openrouter) == 1
    data = read_json(cache_path)
    data["base_url"] = "https://elsewhere.example/v1"
    write_text(cache_path, json.dumps(data))
    third = make_client(models_cache=cache_path, clock=FakeClock())
    await third.list_models()
    assert models_requests(fake_openrouter) == 2


async def test_check_key(fake_openrouter: FakeOpenRouter, client: OpenRouterClient) -> None:
    fake_openrouter.key_info = {
        "label": "sk-or-v1-abc...xyz",
        "usage": 1.5,
        "limit": 10,
        "limit_remaining": 8.5,
        "is_free_tier": True,
    }
    info = await client.check_key()
    assert info == KeyInfo(
        label="sk-or-v1-abc...xyz", usage=1.5, limit=10.0, limit_remaining=8.5, is_free_tier=True
    )
    assert fake_openrouter.requests[0].path == "/api/v1/key"


async def test_check_key_with_a_wrong_key(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory
) -> None:
    fake_openrouter.api_key = "sk-or-v1-the-right-one"
    client = make_client(api_key="sk-or-v1-wrong")
    with pytest.raises(AuthenticationError) as caught:
        await client.check_key()
    assert "Check the key in Settings" in caught.value.user_message
    assert "User not found" in caught.value.user_message
    right = make_client(api_key="sk-or-v1-the-right-one")
    assert (await right.check_key()).usage == 0.25


async def test_check_key_without_a_key_sends_nothing(
    fake_openrouter: FakeOpenRouter, make_client: ClientFactory
) -> None:
    with pytest.raises(AuthenticationError, match="No API key is set"):
        await make_client(api_key=None).check_key()
    assert fake_openrouter.requests == []
