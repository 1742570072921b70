"""Approvals for tool calls: per-server policy, the user's decisions, and a ToolHost that asks.

Each server has a default policy (config field ``approval``): ``ask`` (the default),
``allow_read_only`` (tools annotated read-only run without asking) or ``allow_all``. A preset
may override the policy per exposed tool name. When a call needs approval,
:class:`ApprovingToolHost` awaits an injected approver (the UI's approval card) that answers
with a :class:`Decision`:

- Deny: the model is told the user denied the call (a result, not an error);
- Allow once;
- Allow for this conversation: remembered in memory for that conversation id;
- Always allow this tool: persisted in ``<data dir>/mcp_approvals.json``, revocable, and tied
  to the server's identity (its command and arguments, or its URL): if the server entry starts
  another program, the rule no longer applies.

No Qt here, and no mcp SDK import.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from chatdesk.core.models import ToolCall, ToolSpec
from chatdesk.core.ports import ToolResult
from chatdesk.core.tool_approval import APPROVALS, Approval, OverrideFunction
from chatdesk.mcp.approval_store import (
    APPROVALS_FILE_NAME,
    AlwaysRule,
    ApprovalStore,
    server_identity,
)
from chatdesk.mcp.arguments import ToolArgumentsError, parsed_or_error
from chatdesk.mcp.status import ToolInfo

__all__ = [
    "APPROVALS_FILE_NAME",
    "AlwaysRule",
    "ApprovalPolicy",
    "ApprovalRequest",
    "ApprovalStore",
    "Approver",
    "ApprovingToolHost",
    "Decision",
    "OverrideFunction",
    "Policy",
    "ToolDirectory",
    "denied_result",
    "server_identity",
]

log = logging.getLogger(__name__)

Policy = Approval
POLICIES: tuple[Policy, ...] = APPROVALS


class Decision(enum.StrEnum):
    """What the user chose on an approval card."""

    DENY = "deny"
    ALLOW_ONCE = "allow_once"
    ALLOW_CONVERSATION = "allow_conversation"
    ALLOW_ALWAYS = "allow_always"

    @property
    def allows(self) -> bool:
        return self is not Decision.DENY

    @property
    def label(self) -> str:
        """The button text."""
        return {
            Decision.DENY: "Deny",
            Decision.ALLOW_ONCE: "Allow once",
            Decision.ALLOW_CONVERSATION: "Allow for this conversation",
            Decision.ALLOW_ALWAYS: "Always allow this tool",
        }[self]


@dataclass(frozen=True, slots=True)
class ApprovalRequest:
    """One call waiting for the user: everything the card shows."""

    conversation_id: int | None
    server_id: str
    tool_name: str
    arguments: Mapping[str, Any]
    read_only: bool = False
    destructive: bool = False
    exposed_name: str = ""
    call_id: str = ""
    title: str = ""
    description: str = ""
    open_world: bool = True
    idempotent: bool = False

    def arguments_json(self) -> str:
        """The full arguments as readable JSON (indented, nothing cut)."""
        return json.dumps(self.arguments, indent=2, ensure_ascii=False)


Approver = Callable[[ApprovalRequest], Awaitable[Decision]]
#: The ledger's "who decided" for each answer of the user.
_DECIDED_BY = {
    Decision.ALLOW_ONCE: "once",
    Decision.ALLOW_CONVERSATION: "conversation",
    Decision.ALLOW_ALWAYS: "always",
}


# --- the policy ------------------------------------------------------------------------------


class ApprovalPolicy:
    """Decides whether a call may run without asking, and remembers the user's decisions.

    ``server_policy`` gives a server's configured policy; ``identity`` a server's fingerprint
    (see :func:`server_identity`); ``overrides`` maps exposed tool names to a policy (a preset's).
    """

    def __init__(
        self,
        store: ApprovalStore,
        server_policy: Callable[[str], Policy] | None = None,
        identity: Callable[[str], str | None] | None = None,
        overrides: Mapping[str, str] | OverrideFunction | None = None,
    ) -> None:
        self.store = store
        self._server_policy = server_policy or (lambda _server_id: "ask")
        self._identity = identity or (lambda _server_id: None)
        self.overrides: dict[str, Policy] = {}
        self._override_of: OverrideFunction | None = None
        self.set_overrides(overrides)
        self._conversations: dict[int | None, set[tuple[str, str]]] = {}

    def set_overrides(self, overrides: Mapping[str, str] | OverrideFunction | None) -> None:
        """Replace the preset's per-tool policies: a mapping (exposed tool name -> policy) or a
        function ``(exposed name, server id) -> policy | None`` asked at each call (e.g.
        ``core.preset_tools.approval_overrides``; tools of servers that start later are covered).
        Unknown policy names are ignored."""
        self.overrides = {}
        self._override_of = None
        if callable(overrides):
            self._override_of = overrides
            return
        for name, policy in (overrides or {}).items():
            if policy in POLICIES:
                self.overrides[name] = policy
            else:
                log.warning("ignoring unknown approval policy %r for %s", policy, name)

    def policy_for(self, server_id: str, exposed_name: str) -> Policy:
        """The preset's policy for the tool, else the server's."""
        if self._override_of is not None:
            chosen = self._override_of(exposed_name, server_id)
            if chosen in POLICIES:
                return chosen
        return self.overrides.get(exposed_name) or self._server_policy(server_id)

    def automatic(self, request: ApprovalRequest) -> str | None:
        """Why the call may run without asking ("policy", "read-only", "always",
        "conversation"), or None when the user must decide."""
        policy = self.policy_for(request.server_id, request.exposed_name)
        if policy == "allow_all":
            return "policy"
        if policy == "allow_read_only" and request.read_only:
            return "read-only"
        key = (request.server_id, request.tool_name)
        if self.store.allowed(*key, self._identity(request.server_id)):
            return "always"
        if key in self._conversations.get(request.conversation_id, ()):
            return "conversation"
        return None

    def record(self, request: ApprovalRequest, decision: Decision) -> None:
        """Remember a decision that outlives the call."""
        key = (request.server_id, request.tool_name)
        if decision is Decision.ALLOW_CONVERSATION:
            self._conversations.setdefault(request.conversation_id, set()).add(key)
        elif decision is Decision.ALLOW_ALWAYS:
            self.store.allow(*key, self._identity(request.server_id) or "")

    def conversation_grants(self, conversation_id: int | None) -> set[tuple[str, str]]:
        """The ``(server, tool)`` pairs allowed for a conversation."""
        return set(self._conversations.get(conversation_id, ()))

    def all_conversation_grants(self) -> dict[int | None, set[tuple[str, str]]]:
        """Every conversation's ``(server, tool)`` grants (for the list of grants)."""
        return {c: set(g) for c, g in self._conversations.items() if g}

    def revoke_conversation_grant(
        self, conversation_id: int | None, server_id: str, tool_name: str
    ) -> None:
        """That tool asks again in that conversation."""
        self._conversations.get(conversation_id, set()).discard((server_id, tool_name))

    def forget_conversation(self, conversation_id: int | None) -> None:
        """Drop the conversation's grants (conversation deleted, or the user revoked them)."""
        self._conversations.pop(conversation_id, None)


# --- the approving ToolHost --------------------------------------------------------------------


class ToolDirectory(Protocol):
    """What :class:`ApprovingToolHost` wraps: a ToolHost that also describes its tools and
    runs a call whose arguments are parsed already (``MCPToolAggregator``)."""

    def tool_specs(self) -> Sequence[ToolSpec]: ...

    async def call_tool(self, call: ToolCall) -> ToolResult: ...

    async def run_tool(
        self,
        call: ToolCall,
        arguments: Mapping[str, Any] | ToolArgumentsError,
        *,
        conversation_id: int | None = None,
    ) -> ToolResult: ...

    def tool_info(self, exposed_name: str) -> ToolInfo | None: ...


def denied_result(request: ApprovalRequest) -> ToolResult:
    """What the model is told when the user denies a call: a result, not an error, flagged
    ``denied``; the call never ran (its duration is 0)."""
    return ToolResult(
        f"The user denied this call of {request.exposed_name or request.tool_name}; it did not "
        "run. Do not call it again unless the user asks; answer without it.",
        is_error=False,
        server_id=request.server_id,
        denied=True,
        duration_s=0.0,
    )


class ApprovingToolHost:
    """A ToolHost that asks before calls the policy does not allow on its own.

    Approvals of one conversation are asked one at a time (so a "for this conversation" answer
    also settles the calls queued behind it); calls that need no approval never wait.
    """

    def __init__(
        self,
        inner: ToolDirectory,
        policy: ApprovalPolicy,
        approver: Approver | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._inner = inner
        self.policy = policy
        self.approver = approver
        self._clock = clock
        self._locks: dict[int | None, asyncio.Lock] = {}

    def tool_specs(self) -> Sequence[ToolSpec]:
        return self._inner.tool_specs()

    async def call_tool(self, call: ToolCall, *, conversation_id: int | None = None) -> ToolResult:
        """Run ``call`` once the policy or the user allows it.

        Cancelling while the user is being asked stops at once (the approver's wait is
        cancelled with it). The result's ``duration_s`` is the run alone, the time spent asking
        left out. The arguments are parsed once, here, and handed to the inner host.
        """
        info = self._inner.tool_info(call.name)
        if info is None:  # unknown tool (or its server not ready): the inner host reports it
            return await self._timed(self._inner.call_tool(call))
        arguments = parsed_or_error(call.arguments)
        if isinstance(arguments, ToolArgumentsError):  # the inner host reports it
            return await self._timed(self._inner.run_tool(call, arguments))
        request = self._request(call, info, arguments, conversation_id)
        reason = self.policy.automatic(request)
        if reason is None:
            decision, reason = await self._ask(request)
            if not decision.allows:
                return dataclasses.replace(denied_result(request), decision=reason)
        run = self._inner.run_tool(call, arguments, conversation_id=conversation_id)
        result = await self._timed(run)
        return dataclasses.replace(result, decision=reason)

    async def _timed(self, run: Awaitable[ToolResult]) -> ToolResult:
        """``run``'s result with how long it took (unless the inner host measured it)."""
        started = self._clock()
        result = await run
        if result.duration_s is not None:
            return result
        return dataclasses.replace(result, duration_s=self._clock() - started)

    @staticmethod
    def _request(
        call: ToolCall, info: ToolInfo, arguments: dict[str, Any], conversation_id: int | None
    ) -> ApprovalRequest:
        return ApprovalRequest(
            conversation_id=conversation_id,
            server_id=info.server_id,
            tool_name=info.tool_name,
            arguments=arguments,
            read_only=info.read_only,
            destructive=info.destructive,
            exposed_name=call.name,
            call_id=call.id,
            title=info.title,
            description=info.description,
            open_world=info.open_world,
            idempotent=info.idempotent,
        )

    async def _ask(self, request: ApprovalRequest) -> tuple[Decision, str]:
        """The user's decision, and who made it for the ledger ("once", "conversation",
        "always", "denied"; or the grant that settled it while this call waited)."""
        lock = self._locks.setdefault(request.conversation_id, asyncio.Lock())
        async with lock:
            settled = self.policy.automatic(request)
            if settled is not None:  # settled while this call waited
                return Decision.ALLOW_ONCE, settled
            if self.approver is None:
                log.warning("tool %s needs approval and nothing can ask", request.exposed_name)
                return Decision.DENY, "no-one-to-ask"
            decision = Decision(await self.approver(request))
            # Recorded before the lock is let go: the next queued call sees it.
            self.policy.record(request, decision)
        log.info(
            "approval: %s %s/%s in conversation %s",
            decision.value,
            request.server_id,
            request.tool_name,
            request.conversation_id,
        )
        return decision, _DECIDED_BY.get(decision, "denied")
