"""A tool call's arguments, parsed once (chatdesk.mcp.arguments)."""

from __future__ import annotations

import pytest

from chatdesk.mcp.arguments import ToolArgumentsError, parse_arguments, parsed_or_error


def test_an_object_empty_text_and_whitespace() -> None:
    assert parse_arguments('{"a": [1, 2]}') == {"a": [1, 2]}
    assert parse_arguments("") == {}
    assert parse_arguments("  \n") == {}


@pytest.mark.parametrize(
    ("text", "says"), [("{oops", "not valid JSON"), ("[1]", "JSON object"), ("3", "JSON object")]
)
def test_what_is_not_an_object_is_an_error_for_the_model(text: str, says: str) -> None:
    with pytest.raises(ToolArgumentsError, match=says):
        parse_arguments(text)
    error = parsed_or_error(text)
    assert isinstance(error, ToolArgumentsError) and says in str(error)
    assert parsed_or_error("{}") == {}
