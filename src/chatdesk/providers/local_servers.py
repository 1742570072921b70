"""OpenAI-compatible servers running on this computer, found for a first run without a key.

Ollama (11434), LM Studio (1234), llama.cpp's server (8080) and vLLM (8000) answer
``GET /v1/models`` on 127.0.0.1; each one that answers within a short timeout is offered beside
the OpenRouter key field, so a person can chat at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

__all__ = ["KNOWN_SERVERS", "LocalServer", "find_local_servers"]

#: (name, port) of the servers looked for.
KNOWN_SERVERS: tuple[tuple[str, int], ...] = (
    ("Ollama", 11434),
    ("LM Studio", 1234),
    ("llama.cpp", 8080),
    ("vLLM", 8000),
)
TIMEOUT_S = 0.6
#: The path of the OpenAI-compatible API on each.
PREFIX = "/v1"


@dataclass(frozen=True, slots=True)
class LocalServer:
    """A server that answered, with the models it offers."""

    name: str
    base_url: str  # ends in /v1
    models: tuple[str, ...]


async def _probe(client: httpx.AsyncClient, name: str, base_url: str) -> LocalServer | None:
    try:
        response = await client.get(f"{base_url}/models")
        if response.status_code != 200:
            return None
        data = response.json().get("data", [])
    except (httpx.HTTPError, ValueError, AttributeError):
        return None
    if not isinstance(data, list):
        return None
    models = tuple(str(m["id"]) for m in data if isinstance(m, dict) and m.get("id"))
    return LocalServer(name, base_url, models)


async def find_local_servers(
    servers: Sequence[tuple[str, int]] | None = None,
    host: str = "127.0.0.1",
    timeout_s: float = TIMEOUT_S,
    prefix: str | None = None,
) -> list[LocalServer]:
    """The servers that answer (default: ``KNOWN_SERVERS``), in the order asked, all probed
    at once."""
    servers = KNOWN_SERVERS if servers is None else servers
    prefix = PREFIX if prefix is None else prefix
    async with httpx.AsyncClient(timeout=timeout_s, trust_env=False) as client:
        found = await asyncio.gather(
            *(_probe(client, name, f"http://{host}:{port}{prefix}") for name, port in servers)
        )
    return [server for server in found if server is not None and server.models]
