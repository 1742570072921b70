"""Exposed tool names: valid OpenAI function names, unique, stable, reversible."""

from __future__ import annotations

import re

from chatdesk.mcp.naming import ToolNameMap

VALID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def test_plain_names_are_prefixed_and_reversible() -> None:
    names = ToolNameMap([("calc", "calculate"), ("time", "now")])
    assert names.exposed("calc", "calculate") == "calc__calculate"
    assert names.resolve("calc__calculate") == ("calc", "calculate")
    assert names.resolve("calc__nope") is None


def test_invalid_long_and_colliding_names_get_stable_suffixes() -> None:
    tools = [
        ("my server", "get.weather"),
        ("s", "t" * 100),
        ("s", "t" * 99 + "u"),
        ("a__b", "c"),
        ("a", "b__c"),
    ]
    names = ToolNameMap(tools)
    exposed = [names.exposed(*tool) for tool in tools]
    assert all(VALID.match(name) for name in exposed)
    assert len(set(exposed)) == len(tools)
    assert [names.resolve(name) for name in exposed] == tools
    assert ToolNameMap(reversed(tools)).exposed("s", "t" * 100) == exposed[1]
    assert exposed[0].startswith("my_server__get_weather_")
    # One of the two identical plain names keeps it; the other is hashed.
    assert sorted(exposed[3:])[0] == "a__b__c"
