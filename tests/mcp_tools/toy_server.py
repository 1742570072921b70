"""A small MCP server for the tests: ``python toy_server.py NAME [PORT]`` (stdio, or HTTP)."""

from __future__ import annotations

import os
import sys

import anyio
from mcp.server.mcpserver import MCPServer

name = sys.argv[1]
#: A valid 1x1 PNG.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63"
    "f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)
server = MCPServer(name)


@server.tool()
def echo(text: str) -> str:
    """Echo the text, prefixed with the server's name."""
    return f"{name}:{text}"


@server.tool()
def pid() -> int:
    """The server's process id."""
    return os.getpid()


@server.tool()
async def hang() -> str:
    """Never answers."""
    await anyio.sleep(3600)
    return "late"


@server.tool()
def huge(size: int) -> str:
    """A long text."""
    return "x" * size


@server.tool()
def die() -> str:
    """Exit the server process at once."""
    os._exit(3)


@server.prompt(title="Review code")
def review(code: str, language: str = "python") -> str:
    """Ask for a review of some code."""
    return f"Please review this {language} code from {name}:\n\n{code}"


@server.prompt()
def greeting() -> str:
    """Say hello."""
    return f"Hello from {name}!"


@server.resource("toy://notes", name="notes", title="Team notes", mime_type="text/plain")
def notes() -> str:
    """The team's notes."""
    return f"Notes of {name}: ship on Friday."


@server.resource("toy://pixel.png", name="pixel.png", mime_type="image/png")
def pixel() -> bytes:
    """A one-pixel picture."""
    return PIXEL


@server.resource("toy://greeting/{person}", name="greeting", mime_type="text/plain")
def greeting_for(person: str) -> str:
    """A greeting for someone."""
    return f"Hello, {person}, from {name}."


if len(sys.argv) > 2:
    server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
else:
    server.run()
