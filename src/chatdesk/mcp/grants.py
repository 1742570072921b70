"""Every grant that lets a tool run without asking, in one list (Tools › Tool activity ›
Grants): "always allow" rules, grants for one conversation, servers whose policy allows their
tools, and presets that override a server's policy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from chatdesk.core.presets import Preset
from chatdesk.mcp.approval_store import ApprovalStore
from chatdesk.mcp.approvals import ApprovalPolicy
from chatdesk.mcp.config import MCPConfig
from chatdesk.mcp.naming import SEPARATOR

__all__ = ["POLICY_WORDS", "Grant", "GrantKind", "list_grants"]

GrantKind = Literal["always", "conversation", "server", "preset"]
POLICY_WORDS = {
    "allow_all": "runs every tool without asking",
    "allow_read_only": "runs read-only tools without asking",
    "ask": "asks before every tool",
}


@dataclass(frozen=True, slots=True)
class Grant:
    """One grant; ``tool_name`` None covers every tool of the server."""

    kind: GrantKind
    server_id: str
    tool_name: str | None
    what: str  # the grant in words
    conversation_id: int | None = None
    preset_id: int | None = None
    key: str = ""  # the preset's override key (a server id or an exposed tool name)
    since: float | None = None


def list_grants(
    approvals: ApprovalStore,
    policy: ApprovalPolicy,
    config: MCPConfig,
    presets: Sequence[Preset],
    titles: Mapping[int, str] | None = None,
) -> list[Grant]:
    """All grants, the broadest last: per tool always, per conversation, per server, per preset.
    ``titles`` names the conversations."""
    out = [
        Grant("always", r.server_id, r.tool_name, "always allowed", since=r.granted_at or None)
        for r in approvals.rules()
    ]
    for conversation_id, grants in sorted(
        policy.all_conversation_grants().items(), key=lambda item: item[0] or 0
    ):
        title = (titles or {}).get(conversation_id or 0, f"chat {conversation_id}")
        out += [
            Grant("conversation", server, tool, f"allowed in “{title}”", conversation_id)
            for server, tool in sorted(grants)
        ]
    out += [
        Grant("server", server_id, None, POLICY_WORDS[server.approval])
        for server_id, server in config.servers.items()
        if server.approval != "ask"
    ]
    for preset in presets:
        for key, choice in sorted(preset.tool_approvals.items()):
            if choice == "ask":  # stricter than the server: not a grant
                continue
            server, _, tool = key.partition(SEPARATOR)
            words = POLICY_WORDS.get(choice, choice)
            out.append(
                Grant(
                    "preset",
                    server,
                    tool or None,
                    f"preset “{preset.name}” {words}",
                    preset_id=preset.id,
                    key=key,
                )
            )
    return out
