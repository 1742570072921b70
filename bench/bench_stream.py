"""Streaming benchmark: OpenRouterClient.stream_chat against a bare httpx SSE reader.

Run from the repository root: ``.venv/bin/python -m bench.bench_stream [--tokens N] [--runs N]``.
Both readers consume the same 20,000-token stream from FakeOpenRouter (one token per SSE event,
plus keep-alive comments and a usage chunk). The baseline is the least a client can do with
httpx: ``aiter_lines()``, ``json.loads`` per data line, concatenate ``delta.content``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

import httpx
from tests.fakes.openrouter import FakeOpenRouter, Reply

from chatdesk.core.events import TextDelta
from chatdesk.core.models import ChatRequest, RequestMessage
from chatdesk.providers.openrouter import OpenRouterClient

TOKEN = "tok "
REQUEST = ChatRequest(model="bench/model", messages=(RequestMessage("user", "go"),))


async def baseline(client: httpx.AsyncClient, url: str) -> str:
    """A bare httpx reader: aiter_lines, json.loads each data line, join delta.content."""
    body = {"model": REQUEST.model, "messages": [{"role": "user", "content": "go"}], "stream": True}
    parts: list[str] = []
    async with client.stream("POST", url, json=body) as response:
        async for line in response.aiter_lines():
            if not line.startswith("data: "):
                continue
            data = line[6:]
            if data == "[DONE]":
                continue
            choices = json.loads(data).get("choices")
            if choices:
                content = choices[0]["delta"].get("content")
                if content:
                    parts.append(content)
    return "".join(parts)


async def measured(client: OpenRouterClient) -> str:
    """The real client: every typed event of stream_chat, text joined."""
    parts: list[str] = []
    async for event in client.stream_chat(REQUEST):
        if type(event) is TextDelta:
            parts.append(event.text)
    return "".join(parts)


async def run(tokens: int, runs: int) -> tuple[float, float]:
    expected = TOKEN * tokens
    with FakeOpenRouter() as fake:
        fake.set_default(Reply.tokens(tokens, TOKEN, keepalive_every=1000))
        url = fake.base_url + "/chat/completions"
        async with httpx.AsyncClient(timeout=60) as http:
            client = OpenRouterClient(fake.base_url, "sk-bench", openrouter=True)
            try:
                # Warm up both paths (connections, imports, caches).
                assert await baseline(http, url) == expected
                assert await measured(client) == expected
                base_times: list[float] = []
                client_times: list[float] = []
                for _ in range(runs):
                    start = time.perf_counter()
                    assert await baseline(http, url) == expected
                    base_times.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    assert await measured(client) == expected
                    client_times.append(time.perf_counter() - start)
            finally:
                await client.aclose()
    return statistics.median(base_times), statistics.median(client_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    base, measured_s = asyncio.run(run(args.tokens, max(5, args.runs)))
    print(f"stream of {args.tokens} tokens, median of {max(5, args.runs)} interleaved runs")
    print(f"  baseline (httpx aiter_lines + json.loads): {base * 1000:8.1f} ms")
    print(f"  OpenRouterClient.stream_chat:              {measured_s * 1000:8.1f} ms")
    print(f"  ratio: {measured_s / base:.3f}x")


if __name__ == "__main__":
    main()
