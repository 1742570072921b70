"""Helpers shared by the storage tests."""

from __future__ import annotations

from fakes.sqlite import query

__all__ = ["query"]
