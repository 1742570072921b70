"""MCP tools: the servers dialog and editor, approval cards."""
