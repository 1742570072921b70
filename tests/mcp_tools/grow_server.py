"""A server whose tools change: ``grow(name)`` adds a tool and announces it (stdio)."""

from __future__ import annotations

from mcp.server.mcpserver import Context, MCPServer

server = MCPServer("grow")


@server.tool()
async def grow(name: str, ctx: Context) -> str:
    """Add a tool called ``name`` that answers with its own name."""

    def added() -> str:
        return f"I am {name}"

    server.add_tool(added, name=name, description=f"Added at run time: {name}")
    await ctx.notify_tools_changed()
    return "grown"


server.run()
