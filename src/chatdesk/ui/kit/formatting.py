"""Qt-free text for numbers the UI shows: cost, duration, token usage and a message's meta."""

from __future__ import annotations

import math

from chatdesk.core.models import ModelInfo

__all__ = [
    "compact_count",
    "describe_model",
    "format_age",
    "format_cost",
    "format_duration",
    "format_meta",
    "format_token_split",
    "format_usage",
    "preview",
]


def format_cost(cost: float) -> str:
    """US dollars, with enough digits for fractions of a cent."""
    if cost == 0:
        return "$0"
    if cost < 0.0001:
        return "<$0.0001"
    if cost < 1:
        return f"${cost:.4f}"
    return f"${cost:,.2f}"


def format_duration(seconds: float | None) -> str:
    """``<1 ms``, ``12 ms``, ``1.4 s``, ``12 s``, ``2 min 5 s``; "" when unknown."""
    if seconds is None or seconds < 0 or math.isnan(seconds):
        return ""
    ms = seconds * 1000
    if ms < 1:
        return "<1 ms"
    if ms < 999.5:
        return f"{ms:.0f} ms"
    if seconds < 9.95:
        return f"{seconds:.1f} s"
    if seconds < 59.5:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def format_usage(total_tokens: int, cost: float | None) -> str:
    """A completion's usage such as ``1,234 tokens · $0.0012`` (no cost: the tokens alone)."""
    text = f"{total_tokens:,} tokens"
    if cost is not None:
        text += f" · {format_cost(cost)}"
    return text


def format_meta(
    model: str | None,
    prompt_tokens: int | None,
    completion_tokens: int | None,
    cost: float | None,
) -> str:
    """Footer text such as ``openai/gpt-4o · 1,234 tokens · $0.0012``."""
    parts: list[str] = []
    if model:
        parts.append(model)
    if prompt_tokens is not None or completion_tokens is not None:
        parts.append(f"{(prompt_tokens or 0) + (completion_tokens or 0):,} tokens")
    if cost is not None:
        parts.append(format_cost(cost))
    return " · ".join(parts)


def format_token_split(prompt_tokens: int | None, completion_tokens: int | None) -> str:
    """The meta's tooltip: ``12 prompt + 34 completion tokens``; "" when neither is known."""
    if prompt_tokens is None and completion_tokens is None:
        return ""
    return f"{prompt_tokens or 0:,} prompt + {completion_tokens or 0:,} completion tokens"


def preview(text: str, limit: int = 160) -> str:
    """The text on one line, cut at ``limit`` characters (tooltips, list entries, notices)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def describe_model(info: ModelInfo) -> str:
    """One line: context length and prices per million tokens."""
    parts: list[str] = []
    if info.context_length:
        parts.append(f"{compact_count(info.context_length)} context")
    if info.prompt_price is not None and info.completion_price is not None:
        if info.prompt_price == 0 and info.completion_price == 0:
            parts.append("free")
        else:
            parts.append(
                f"${info.prompt_price * 1e6:.2f} in / ${info.completion_price * 1e6:.2f} out per M"
            )
    if "image" in info.input_modalities:
        parts.append("vision")
    return " · ".join(parts)


def compact_count(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:g}M"
    if n >= 1000:
        return f"{n // 1000}k"
    return str(n)


def format_age(seconds: float) -> str:
    """How long ago, in words: ``just now``, ``5 min ago``, ``3 h ago``, ``2 days ago``."""
    if seconds < 90:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"
