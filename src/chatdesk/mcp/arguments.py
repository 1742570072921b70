"""A tool call's arguments: the model's JSON text, parsed once per call.

The approval layer needs them to show the user; the aggregator sends them to the server. Both
take them from :func:`parse_arguments`, the approval layer once, handing them on.
"""

from __future__ import annotations

import json
from typing import Any


class ToolArgumentsError(ValueError):
    """The arguments are not a JSON object; the message is meant for the model."""


def parse_arguments(text: str) -> dict[str, Any]:
    """The arguments object (``{}`` for empty text); raises :class:`ToolArgumentsError`."""
    if not text.strip():
        return {}
    try:
        arguments = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ToolArgumentsError(f"The arguments are not valid JSON: {exc.msg}.") from None
    if not isinstance(arguments, dict):
        raise ToolArgumentsError("The arguments must be a JSON object.")
    return arguments


def parsed_or_error(text: str) -> dict[str, Any] | ToolArgumentsError:
    """:func:`parse_arguments`, with the error returned instead of raised."""
    try:
        return parse_arguments(text)
    except ToolArgumentsError as exc:
        return exc
