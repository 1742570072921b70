"""Which of a server's tools can be offered to a model: one whose input schema is not a JSON
Schema object would make the provider refuse the whole request (every tool of every server
with it), so it is left out, and the server's row says which and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mcp.types import Tool

__all__ = ["schema_problem", "usable_tools"]


def schema_problem(schema: Any) -> str | None:
    """Why ``schema`` cannot be a function's parameters (None: it can)."""
    if not isinstance(schema, Mapping):
        return "its input schema is not an object"
    kind = schema.get("type", "object")
    if kind != "object":
        return f"its input schema is of type {kind!r}, not an object"
    properties = schema.get("properties", {})
    if not isinstance(properties, Mapping):
        return "its input schema's properties are not an object"
    for name, spec in properties.items():
        if not isinstance(spec, Mapping | bool):
            return f"its argument {name!r} has no schema"
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        return "its input schema's required list is not a list of names"
    return None


def usable_tools(tools: Sequence[Tool]) -> tuple[tuple[Tool, ...], tuple[str, ...]]:
    """The tools that can be offered, and a note for each one left out."""
    usable: list[Tool] = []
    skipped: list[str] = []
    for tool in tools:
        problem = schema_problem(tool.input_schema)
        if problem is None:
            usable.append(tool)
        else:
            skipped.append(f"{tool.name} left out: {problem}")
    return tuple(usable), tuple(skipped)
