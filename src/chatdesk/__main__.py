"""``python -m chatdesk`` opens the app; ``chatdesk mcp-server NAME`` serves a built-in MCP
server over stdio (how the frozen app starts them, since there sys.executable is the app)."""

from chatdesk.launch import main

raise SystemExit(main())
