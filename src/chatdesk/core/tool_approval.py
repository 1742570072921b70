"""Tool-approval policies, defined once for the MCP servers file, presets and the approver.

``ask`` (the default) asks before every call, ``allow_read_only`` runs tools that declare
themselves read-only without asking, ``allow_all`` never asks. A preset may override the policy
per server or per exposed tool name (``<server>__<tool>``); :class:`OverrideFunction` is the
form the approval policy asks at each call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

Approval = Literal["ask", "allow_read_only", "allow_all"]
APPROVALS: tuple[Approval, ...] = ("ask", "allow_read_only", "allow_all")
#: ``(exposed tool name, server id) -> policy`` or None (no override), e.g. a preset's.
OverrideFunction = Callable[[str, str], str | None]
