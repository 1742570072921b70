"""Small timing and reporting helpers shared by the benchmarks (stdlib only)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Sequence

#: Common English words, for text that looks like prose to the renderers.
WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "for",
    "it",
    "as",
    "with",
    "was",
    "on",
    "be",
    "by",
    "this",
    "are",
    "from",
    "at",
    "or",
    "an",
    "have",
    "not",
    "but",
    "which",
    "they",
    "their",
    "all",
    "can",
    "more",
    "one",
    "about",
    "would",
    "there",
    "when",
    "what",
    "some",
    "will",
    "also",
    "into",
    "other",
    "stream",
    "render",
    "block",
    "layout",
    "widget",
    "document",
    "token",
    "latency",
    "buffer",
    "cursor",
    "parser",
    "renderer",
    "signal",
    "event",
    "loop",
    "thread",
    "queue",
    "cache",
    "message",
    "window",
    "column",
    "palette",
    "function",
    "variable",
    "request",
    "response",
    "provider",
    "model",
    "context",
    "memory",
    "performance",
    "baseline",
    "measure",
    "result",
]


def median_time(fn: Callable[[], object], runs: int = 5, *, warmup: int = 0) -> float:
    """Median wall time in seconds of ``runs`` calls of ``fn`` (after ``warmup`` calls)."""
    return statistics.median(timings(fn, runs, warmup=warmup))


def timings(fn: Callable[[], object], runs: int = 5, *, warmup: int = 0) -> list[float]:
    """Wall times in seconds of ``runs`` calls of ``fn`` (after ``warmup`` untimed calls)."""
    for _ in range(warmup):
        fn()
    result = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        result.append(time.perf_counter() - start)
    return result


async def amedian_time(
    fn: Callable[[], Awaitable[object]], runs: int = 5, *, warmup: int = 0
) -> float:
    """Median wall time in seconds of ``runs`` awaited calls of ``fn`` (after ``warmup``)."""
    for _ in range(warmup):
        await fn()
    result = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        result.append(time.perf_counter() - start)
    return statistics.median(result)


def fmt_seconds(seconds: float) -> str:
    """``1.23 s`` / ``4.56 ms`` / ``78.9 µs``."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def ratio(value: float, baseline: float) -> str:
    """``value / baseline`` as ``1.23x``."""
    return f"{value / baseline:.2f}x" if baseline > 0 else "n/a"


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Print a plain left-aligned text table."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    line = "  ".join("-" * w for w in widths)
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
