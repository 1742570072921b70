"""Orchestrator benchmark: a whole turn (parse + typed events + SQLite persistence) against a
bare httpx line reader on the same 20,000-token stream. Target: <= 1.15x wall time.

Run from the repository root: ``.venv/bin/python -m bench.bench_orchestrator``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from tests.fakes.openrouter import FakeOpenRouter, Reply

from bench.bench_stream import TOKEN, baseline
from bench.common import print_table, verdict
from chatdesk.core.events import TextDelta, TurnDone
from chatdesk.core.models import TurnConfig
from chatdesk.core.orchestrator import ChatOrchestrator
from chatdesk.providers.openrouter import OpenRouterClient
from chatdesk.storage.repository import ChatRepository

TARGET = 1.15
CONFIG = TurnConfig(model="bench/model", generate_titles=False)


async def one_turn(orchestrator: ChatOrchestrator, repo: ChatRepository) -> str:
    """Send a message and consume every event; returns the stored answer."""
    conversation = await repo.create_conversation()
    parts: list[str] = []
    stored = ""
    async for event in orchestrator.send(conversation.id, "go", CONFIG):
        if type(event) is TextDelta:
            parts.append(event.text)
        elif isinstance(event, TurnDone):
            stored = event.message.content
    assert stored == "".join(parts)
    return stored


async def run(tokens: int, runs: int) -> tuple[list[float], list[float]]:
    expected = TOKEN * tokens
    with tempfile.TemporaryDirectory() as tmp, FakeOpenRouter() as fake:
        fake.set_default(Reply.tokens(tokens, TOKEN, keepalive_every=1000))
        url = fake.base_url + "/chat/completions"
        repo = await ChatRepository.open(Path(tmp) / "chatdesk.db")
        client = OpenRouterClient(fake.base_url, "sk-bench", openrouter=True)
        orchestrator = ChatOrchestrator(repo, client)
        try:
            async with httpx.AsyncClient(timeout=60) as http:
                assert await baseline(http, url) == expected
                assert await one_turn(orchestrator, repo) == expected
                base: list[float] = []
                measured: list[float] = []
                for _ in range(runs):
                    start = time.perf_counter()
                    assert await baseline(http, url) == expected
                    base.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    assert await one_turn(orchestrator, repo) == expected
                    measured.append(time.perf_counter() - start)
        finally:
            await client.aclose()
            await repo.close()
    return base, measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    runs = max(5, args.runs)
    base, measured = asyncio.run(run(args.tokens, runs))
    b, m = statistics.median(base), statistics.median(measured)
    print(f"a {args.tokens:,}-token reply, median of {runs} interleaved runs")
    print_table(
        ["measure", "orchestrator", "bare httpx reader", "ratio", "target", "result"],
        [
            [
                "whole turn: stream + events + SQLite",
                f"{m * 1000:.1f} ms",
                f"{b * 1000:.1f} ms",
                f"{m / b:.3f}x",
                f"<= {TARGET:.2f}x",
                verdict(m / b <= TARGET),
            ]
        ],
    )


if __name__ == "__main__":
    main()
