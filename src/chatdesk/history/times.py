"""Timestamps as exports write them: epoch seconds (float, int or a numeric string), ISO 8601
text, or nothing."""

from __future__ import annotations

from datetime import datetime

__all__ = ["epoch"]


def epoch(value: object, default: float) -> float:
    """Seconds since the epoch for ``value``, or ``default`` when it is missing or unreadable."""
    if isinstance(value, bool) or value is None:
        return default
    if isinstance(value, int | float):
        seconds = float(value)
        return seconds / 1000 if seconds > 1e11 else seconds  # milliseconds
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            return epoch(float(text), default)
        except ValueError:
            pass
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return default
    return default
