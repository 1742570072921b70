"""Local OpenAI-compatible servers found for a first run: the fake server on 127.0.0.1 stands
in for Ollama; closed ports, servers with no models and broken answers are left out."""

from __future__ import annotations

from chatdesk.providers.local_servers import find_local_servers
from fakes.openrouter import FakeOpenRouter
from fakes.ports import free_port


async def test_servers_that_answer_are_found_with_their_models(
    fake_openrouter: FakeOpenRouter,
) -> None:
    port = int(fake_openrouter.base_url.split(":")[2].split("/")[0])
    nothing = free_port()
    found = await find_local_servers([("Ollama", port), ("vLLM", nothing)], prefix="/api/v1")
    assert len(found) == 1
    server = found[0]
    assert (server.name, server.base_url) == ("Ollama", f"http://127.0.0.1:{port}/api/v1")
    assert "openai/gpt-4o-mini" in server.models
