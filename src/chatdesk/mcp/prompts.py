"""MCP prompts: what each ready server offers for the "/" menu, and a chosen prompt's text.

A prompt is a template a server fills in with the user's arguments; its messages become the
text put into the composer (the user reads it and sends it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chatdesk.errors import ChatdeskError

__all__ = ["PromptArgument", "PromptError", "ServerPrompt", "prompt_text", "server_prompts"]


class PromptError(ChatdeskError):
    """A prompt could not be fetched; the message names the server and the prompt."""

    kind = "mcp"


@dataclass(frozen=True, slots=True)
class PromptArgument:
    """One argument a prompt asks for."""

    name: str
    description: str = ""
    required: bool = False


@dataclass(frozen=True, slots=True)
class ServerPrompt:
    """A prompt of one server."""

    server_id: str
    name: str
    title: str = ""
    description: str = ""
    arguments: tuple[PromptArgument, ...] = ()

    @property
    def label(self) -> str:
        """How the "/" menu shows it: its title (or name) and the server's name."""
        return f"{self.title or self.name} — {self.server_id}"

    def matches(self, query: str) -> bool:
        """Whether what follows "/" finds it (by name or title, case aside)."""
        needle = query.casefold()
        return needle in self.name.casefold() or needle in (self.title or "").casefold()


def server_prompts(server_id: str, prompts: Iterable[Any]) -> list[ServerPrompt]:
    """The mcp ``Prompt`` objects of one server as ``ServerPrompt``s."""
    out = []
    for p in prompts:
        arguments = tuple(
            PromptArgument(a.name, a.description or "", bool(a.required))
            for a in (p.arguments or ())
        )
        out.append(ServerPrompt(server_id, p.name, p.title or "", p.description or "", arguments))
    return out


def prompt_text(messages: Iterable[Any]) -> str:
    """The text of a ``GetPromptResult``'s messages, for the composer (text parts and the text
    of embedded resources; other parts are named)."""
    parts: list[str] = []
    for message in messages:
        content = message.content
        kind = getattr(content, "type", "")
        if kind == "text":
            parts.append(content.text)
        elif kind == "resource" and hasattr(content.resource, "text"):
            parts.append(content.resource.text)
        else:
            parts.append(f"[{kind or 'content'} from the prompt]")
    return "\n\n".join(p for p in parts if p)


def missing_arguments(prompt: ServerPrompt, values: Mapping[str, str]) -> list[str]:
    """The required arguments left empty."""
    return [a.name for a in prompt.arguments if a.required and not values.get(a.name, "").strip()]
