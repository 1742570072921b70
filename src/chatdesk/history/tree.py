"""Turn an export's nodes (each with a parent pointer) into messages in parent-first order.

Exports are messy: parents that are not in the export become roots, hidden nodes are spliced
out (their children move up to the nearest kept ancestor), a node may become several messages
(an answer with tool calls), a thinking-only answer merges into the answer that follows it,
and an active node that is missing falls back to the newest leaf. A cycle is not an export's
mess but damage: the conversation is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from chatdesk.history.model import ImportedMessage, Skip

__all__ = ["Node", "build_tree"]


@dataclass(slots=True)
class Node:
    """One node of an export's tree; ``messages`` empty means hidden (spliced out)."""

    key: str
    parent: str | None
    messages: list[ImportedMessage] = field(default_factory=list)
    order: float = 0.0


def _check_acyclic(parents: dict[str, str | None]) -> None:
    done: set[str] = set()
    for start in parents:
        path: list[str] = []
        on_path: set[str] = set()
        key: str | None = start
        while key is not None and key not in done:
            if key in on_path:
                raise Skip(f"its message tree has a cycle (at node {key!r})")
            on_path.add(key)
            path.append(key)
            key = parents.get(key)
        done.update(path)


def _merge_thoughts(node: Node, child: Node) -> bool:
    """Fold a thinking-only answer into the single answer after it; True if merged."""
    if len(node.messages) != 1 or not child.messages:
        return False
    thought, answer = node.messages[0], child.messages[0]
    if thought.role != "assistant" or thought.content or thought.tool_calls or thought.files:
        return False
    if answer.role != "assistant" or not thought.reasoning:
        return False
    answer.reasoning = "\n\n".join(t for t in (thought.reasoning, answer.reasoning) if t)
    node.messages = []
    return True


def build_tree(
    nodes: Sequence[Node], active: str | None, *, merge_thoughts: bool = True
) -> tuple[list[ImportedMessage], str]:
    """Messages parent-first with their ``key``/``parent`` set, and the key of the active leaf.

    Raises ``Skip`` for a cycle or when no node holds a message.
    """
    by_key: dict[str, Node] = {}
    for node in nodes:
        by_key.setdefault(node.key, node)  # a repeated id: the first one wins
    parents = {
        k: (n.parent if n.parent in by_key and n.parent != k else None) for k, n in by_key.items()
    }
    _check_acyclic(parents)
    children: dict[str | None, list[Node]] = {}
    for key, node in by_key.items():
        children.setdefault(parents[key], []).append(node)
    for kids in children.values():
        kids.sort(key=lambda n: n.order)
    for node in (
        _preorder(children) if merge_thoughts else ()
    ):  # top-down: a chain of thoughts folds all the way down
        kids = [k for k in children.get(node.key, []) if k.messages]
        if len(kids) == 1:
            _merge_thoughts(node, kids[0])

    out: list[ImportedMessage] = []
    tail: dict[str, str | None] = {}  # node key -> key of its last message (or kept ancestor's)
    stack: list[tuple[Node, str | None]] = [(n, None) for n in reversed(children.get(None, []))]
    while stack:
        node, above = stack.pop()
        last = above
        for index, message in enumerate(node.messages):
            message.key = node.key if index == len(node.messages) - 1 else f"{node.key}#{index}"
            message.parent = last
            last = message.key
            out.append(message)
        tail[node.key] = last
        stack.extend((child, last) for child in reversed(children.get(node.key, [])))
    if not out:
        raise Skip("it has no messages")
    leaf = tail.get(active) if active is not None else None
    if leaf is None:
        with_children = {m.parent for m in out}
        leaves = [m for m in out if m.key not in with_children]
        leaf = max(enumerate(leaves), key=lambda im: (im[1].created_at, im[0]))[1].key
    return out, leaf


def _preorder(children: dict[str | None, list[Node]]) -> list[Node]:
    order: list[Node] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(reversed(children.get(node.key, [])))
    return order
