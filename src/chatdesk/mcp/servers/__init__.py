"""Built-in MCP servers, each runnable as ``python -m chatdesk.mcp.servers.<name>`` (stdio)."""
