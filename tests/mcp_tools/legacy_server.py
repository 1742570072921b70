"""A hand-written MCP server speaking only the 2025 handshake protocol over stdio.

It answers ``initialize``, ``tools/list`` and ``tools/call`` (and rejects anything newer, such as
``server/discover``, as an unknown method), like servers built on older SDKs. Calling ``grow``
adds a tool and sends ``notifications/tools/list_changed`` unasked. With ``--broken`` or
``--invalid`` it also offers a tool whose input schema breaks MCP.
"""

from __future__ import annotations

import json
import sys

tools = [
    {
        "name": "grow",
        "description": "Add a tool called name.",
        "inputSchema": {
            "type": "object",
            "properties": {"name": {"type": "string"}},
            "required": ["name"],
        },
    }
]

if "--broken" in sys.argv:  # not valid MCP: the whole list is refused
    tools.append({"name": "broken", "inputSchema": {"type": "object", "required": "x"}})
if "--invalid" in sys.argv:  # not valid MCP either
    tools.append({"name": "scalar", "inputSchema": {"type": "string"}})


def send(message: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def answer(request_id: object, result: dict[str, object]) -> None:
    send({"jsonrpc": "2.0", "id": request_id, "result": result})


for line in sys.stdin:
    if not line.strip():
        continue
    message = json.loads(line)
    method, request_id = message.get("method"), message.get("id")
    if request_id is None:  # a notification (initialized, cancelled, ...)
        continue
    if method == "initialize":
        answer(
            request_id,
            {
                "protocolVersion": "2025-06-18",
                "capabilities": {"tools": {"listChanged": True}},
                "serverInfo": {"name": "legacy", "version": "1"},
            },
        )
    elif method == "tools/list":
        answer(request_id, {"tools": tools})
    elif method == "tools/call":
        params = message["params"]
        if params["name"] == "grow":
            name = params["arguments"]["name"]
            tools.append({"name": name, "inputSchema": {"type": "object", "properties": {}}})
            answer(request_id, {"content": [{"type": "text", "text": "grown"}]})
            send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
        else:
            text = f"I am {params['name']}"
            answer(request_id, {"content": [{"type": "text", "text": text}]})
    elif method == "ping":
        answer(request_id, {})
    else:
        send(
            {
                "jsonrpc": "2.0",
                "id": request_id,
                "error": {"code": -32601, "message": f"Method not found: {method}"},
            }
        )
