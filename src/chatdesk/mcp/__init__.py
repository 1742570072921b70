"""chatdesk.mcp."""
