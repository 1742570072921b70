"""What an MCP server offers, listed page by page: tools, prompts, resources and resource
templates. Prompts and resources are optional: a server without them, or one that fails to list
them, offers none (its tools still work)."""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

from mcp import Client
from mcp.types import Prompt, Resource, ResourceTemplate, Tool

__all__ = ["list_prompts", "list_resources", "list_tools"]

log = logging.getLogger(__name__)


async def list_tools(client: Client, *, refresh: bool = False) -> tuple[Tool, ...]:
    tools: list[Tool] = []
    cursor: str | None = None
    for _ in range(100):
        page = await client.list_tools(cursor=cursor, cache_mode="refresh" if refresh else "use")
        tools.extend(page.tools)
        cursor = page.next_cursor
        if cursor is None:
            break
    return tuple(tools)


async def list_prompts(
    client: Client, server_id: str, *, refresh: bool = False
) -> tuple[Prompt, ...]:
    """The server's prompts ("/" menu); none when it has no prompts or listing fails."""
    if client.server_capabilities.prompts is None:
        return ()
    prompts: list[Prompt] = []
    cursor: str | None = None
    try:
        for _ in range(100):
            page = await client.list_prompts(
                cursor=cursor, cache_mode="refresh" if refresh else "use"
            )
            prompts.extend(page.prompts)
            cursor = page.next_cursor
            if cursor is None:
                break
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # prompts are optional: the tools still work
        log.info("MCP server %r: could not list its prompts: %r", server_id, exc)
        return ()
    return tuple(prompts)


async def list_resources(
    client: Client, server_id: str, *, refresh: bool = False
) -> tuple[Resource | ResourceTemplate, ...]:
    """The server's resources and resource templates ("Attach from a server…")."""
    if client.server_capabilities.resources is None:
        return ()
    found: list[Resource | ResourceTemplate] = []
    mode: Literal["use", "refresh"] = "refresh" if refresh else "use"
    try:
        cursor: str | None = None
        for _ in range(100):
            page = await client.list_resources(cursor=cursor, cache_mode=mode)
            found.extend(page.resources)
            if (cursor := page.next_cursor) is None:
                break
        for _ in range(100):
            listed = await client.list_resource_templates(cursor=cursor, cache_mode=mode)
            found.extend(listed.resource_templates)
            if (cursor := listed.next_cursor) is None:
                break
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # resources are optional: the tools still work
        log.info("MCP server %r: could not list its resources: %r", server_id, exc)
    return tuple(found)
