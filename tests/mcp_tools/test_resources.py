"""MCP resources from a real server process: listed with the templates, read as files (text
and a picture), a template filled in, and the failures named."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp_helpers import config, started_aggregator, toy

from chatdesk.attachments.sniff import sniff
from chatdesk.mcp.resources import ResourceError


async def test_resources_are_listed_and_read_as_files(tmp_path: Path) -> None:
    async with started_aggregator(config(toy=toy("t")), tmp_path, ready=("toy",)) as agg:
        listed = {r.name: r for r in agg.resources()}
        assert sorted(listed) == ["greeting", "notes", "pixel.png"]
        notes, pixel, greeting = listed["notes"], listed["pixel.png"], listed["greeting"]
        assert (notes.uri, notes.title, notes.template) == ("toy://notes", "Team notes", False)
        assert (greeting.uri, greeting.template) == ("toy://greeting/{person}", True)
        assert notes.label == "Team notes — toy"
        assert notes.matches("team") and notes.matches("toy://") and not notes.matches("zz")

        (text,) = await agg.read_resource(notes, notes.uri)
        assert (text.name, text.mime_type, text.data) == (
            "notes.txt",
            "text/plain",
            b"Notes of t: ship on Friday.",
        )
        (image,) = await agg.read_resource(pixel, pixel.uri)
        assert image.name == "pixel.png" and sniff(image.data).mime_type == "image/png"
        (filled,) = await agg.read_resource(greeting, "toy://greeting/Ada")
        assert filled.data == b"Hello, Ada, from t."

        with pytest.raises(ResourceError, match="Could not read toy://nothing from 'toy'"):
            await agg.read_resource(notes, "toy://nothing")
